"""Contains all the data models used in inputs/outputs"""

from .field_error import FieldError
from .introspection_body import IntrospectionBody
from .jwk import Jwk
from .jwks import Jwks
from .o_auth_error_body import OAuthErrorBody
from .problem import Problem
from .pushed_authorization_request import PushedAuthorizationRequest
from .pushed_body import PushedBody
from .server_metadata import ServerMetadata
from .token_body import TokenBody
from .token_query import TokenQuery
from .token_request import TokenRequest

__all__ = (
    "FieldError",
    "IntrospectionBody",
    "Jwk",
    "Jwks",
    "OAuthErrorBody",
    "Problem",
    "PushedAuthorizationRequest",
    "PushedBody",
    "ServerMetadata",
    "TokenBody",
    "TokenQuery",
    "TokenRequest",
)
