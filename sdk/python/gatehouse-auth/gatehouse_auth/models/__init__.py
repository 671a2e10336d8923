"""Contains all the data models used in inputs/outputs"""

from .client_metadata import ClientMetadata
from .device_authorization_body import DeviceAuthorizationBody
from .device_authorization_request import DeviceAuthorizationRequest
from .field_error import FieldError
from .introspection_body import IntrospectionBody
from .jwk import Jwk
from .jwks import Jwks
from .key_confirmation import KeyConfirmation
from .o_auth_error_body import OAuthErrorBody
from .problem import Problem
from .pushed_authorization_request import PushedAuthorizationRequest
from .pushed_body import PushedBody
from .registered_client import RegisteredClient
from .server_metadata import ServerMetadata
from .token_body import TokenBody
from .token_query import TokenQuery
from .token_request import TokenRequest

__all__ = (
    "ClientMetadata",
    "DeviceAuthorizationBody",
    "DeviceAuthorizationRequest",
    "FieldError",
    "IntrospectionBody",
    "Jwk",
    "Jwks",
    "KeyConfirmation",
    "OAuthErrorBody",
    "Problem",
    "PushedAuthorizationRequest",
    "PushedBody",
    "RegisteredClient",
    "ServerMetadata",
    "TokenBody",
    "TokenQuery",
    "TokenRequest",
)
