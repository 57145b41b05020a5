"""Factories for every domain model, in one place."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from retailiq.accounts.models import Role, User
from retailiq.catalog.models import Brand, Category, Product, Vendor
from retailiq.inventory.models import StockLevel, Warehouse
from retailiq.orders.models import Order, OrderLine
from retailiq.retailers.models import Retailer
from retailiq.rollups.services import rollups_apply

PASSWORD = "test-pass-123"


class VendorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vendor

    code = factory.Sequence(lambda n: f"vendor-{n}")
    name = factory.Sequence(lambda n: f"Vendor {n} Foods")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Department {n}")
    slug = factory.Sequence(lambda n: f"department-{n}")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")
    parent = factory.SubFactory(DepartmentFactory)


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand

    name = factory.Sequence(lambda n: f"Brand {n}")
    vendor = factory.SubFactory(VendorFactory)


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    vendor = factory.SubFactory(VendorFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    category = factory.SubFactory(CategoryFactory)
    unit_price = Decimal("100.00")


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Warehouse

    code = factory.Sequence(lambda n: f"wh-{n}")
    name = factory.Sequence(lambda n: f"Warehouse {n}")
    city = "Pune"
    region = "West"
    capacity_volume = Decimal("10000")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.ANALYST
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def persist_password(self, create, extracted, **kwargs):
        if create:
            self.save(update_fields=["password"])


class SalesRepFactory(UserFactory):
    role = Role.SALES_REP


class RetailerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Retailer

    code = factory.Sequence(lambda n: f"R{n:05d}")
    name = factory.Sequence(lambda n: f"Shop {n} Kirana Store")
    city = "Pune"
    region = "West"
    onboarded_on = dt.date(2024, 1, 1)


class RetailerUserFactory(UserFactory):
    role = Role.RETAILER
    retailer = factory.SubFactory(RetailerFactory)


class VendorUserFactory(UserFactory):
    role = Role.VENDOR
    vendor = factory.SubFactory(VendorFactory)


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    external_id = factory.Sequence(lambda n: f"TEST-ORDER-{n:06d}")
    retailer = factory.SubFactory(RetailerFactory)
    warehouse = factory.SubFactory(WarehouseFactory)
    placed_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=3))
    status = "delivered"


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    line_number = factory.Sequence(lambda n: n + 1)
    product = factory.SubFactory(ProductFactory)
    quantity = 10
    unit_price = Decimal("100.00")
    retailer = factory.SelfAttribute("order.retailer")
    placed_on = factory.LazyAttribute(lambda line: line.order.placed_at.date())

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # As a write path would: the order's lines leave the rollups and come back with the new one.
        orders = Order.objects.filter(pk=kwargs["order"].pk)
        rollups_apply(orders=orders, sign=-1)
        line = super()._create(model_class, *args, **kwargs)
        rollups_apply(orders=orders, sign=+1)
        return line


class StockLevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StockLevel

    product = factory.SubFactory(ProductFactory)
    warehouse = factory.SubFactory(WarehouseFactory)
    on_hand = 50


class AnalystFactory(UserFactory):
    role = Role.ANALYST


class AdminUserFactory(UserFactory):
    role = Role.ADMIN
