"""Contains all the data models used in inputs/outputs"""

from .alg import Alg
from .client import Client
from .client_create import ClientCreate
from .client_create_access_token_format import ClientCreateAccessTokenFormat
from .client_create_grant_types_type_0_item import ClientCreateGrantTypesType0Item
from .client_create_id_token_signed_response_alg import ClientCreateIdTokenSignedResponseAlg
from .client_create_token_endpoint_auth_method import ClientCreateTokenEndpointAuthMethod
from .client_created import ClientCreated
from .client_list import ClientList
from .client_patch import ClientPatch
from .consent import Consent
from .consent_list import ConsentList
from .exchange_rule import ExchangeRule
from .field_error import FieldError
from .initial_access_token import InitialAccessToken
from .initial_access_token_create import InitialAccessTokenCreate
from .initial_access_token_created import InitialAccessTokenCreated
from .initial_access_token_list import InitialAccessTokenList
from .key_list import KeyList
from .problem import Problem
from .registration_mode import RegistrationMode
from .role import Role
from .signing_key import SigningKey
from .tenant import Tenant
from .tenant_create import TenantCreate
from .tenant_list import TenantList
from .tenant_patch import TenantPatch
from .user import User
from .user_create import UserCreate
from .user_list import UserList
from .user_patch import UserPatch

__all__ = (
    "Alg",
    "Client",
    "ClientCreate",
    "ClientCreateAccessTokenFormat",
    "ClientCreated",
    "ClientCreateGrantTypesType0Item",
    "ClientCreateIdTokenSignedResponseAlg",
    "ClientCreateTokenEndpointAuthMethod",
    "ClientList",
    "ClientPatch",
    "Consent",
    "ConsentList",
    "ExchangeRule",
    "FieldError",
    "InitialAccessToken",
    "InitialAccessTokenCreate",
    "InitialAccessTokenCreated",
    "InitialAccessTokenList",
    "KeyList",
    "Problem",
    "RegistrationMode",
    "Role",
    "SigningKey",
    "Tenant",
    "TenantCreate",
    "TenantList",
    "TenantPatch",
    "User",
    "UserCreate",
    "UserList",
    "UserPatch",
)
