"""Contains all the data models used in inputs/outputs"""

from .customer import Customer
from .customer_input import CustomerInput
from .field_error import FieldError
from .line_input import LineInput
from .me import Me
from .order import Order
from .order_input import OrderInput
from .order_input_status import OrderInputStatus
from .order_line import OrderLine
from .order_status import OrderStatus
from .page_customer import PageCustomer
from .page_order import PageOrder
from .page_product import PageProduct
from .patch_customer_body import PatchCustomerBody
from .patch_order_body import PatchOrderBody
from .patch_order_body_status import PatchOrderBodyStatus
from .patch_product_body import PatchProductBody
from .patch_product_body_price import PatchProductBodyPrice
from .price import Price
from .problem import Problem
from .product import Product
from .product_input import ProductInput
from .subject_type import SubjectType

__all__ = (
    "Customer",
    "CustomerInput",
    "FieldError",
    "LineInput",
    "Me",
    "Order",
    "OrderInput",
    "OrderInputStatus",
    "OrderLine",
    "OrderStatus",
    "PageCustomer",
    "PageOrder",
    "PageProduct",
    "PatchCustomerBody",
    "PatchOrderBody",
    "PatchOrderBodyStatus",
    "PatchProductBody",
    "PatchProductBodyPrice",
    "Price",
    "Problem",
    "Product",
    "ProductInput",
    "SubjectType",
)
