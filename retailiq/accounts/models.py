from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q


class Role(models.TextChoices):
    RETAILER = "retailer", "Retailer"
    VENDOR = "vendor", "Vendor"
    SALES_REP = "sales_rep", "Sales rep"
    ANALYST = "analyst", "Analyst"
    ADMIN = "admin", "Admin"


class User(AbstractUser):
    """A person who signs in. Each has exactly one role; a retailer user belongs to one
    retailer and a vendor user to one vendor, which the database enforces."""

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.ANALYST)
    retailer = models.ForeignKey(
        "retailers.Retailer", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    vendor = models.ForeignKey("catalog.Vendor", null=True, blank=True, on_delete=models.PROTECT, related_name="users")

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="user_role_matches_organisation",
                condition=(
                    Q(role=Role.RETAILER, retailer__isnull=False, vendor__isnull=True)
                    | Q(role=Role.VENDOR, vendor__isnull=False, retailer__isnull=True)
                    | Q(
                        role__in=[Role.SALES_REP, Role.ANALYST, Role.ADMIN],
                        retailer__isnull=True,
                        vendor__isnull=True,
                    )
                ),
            )
        ]

    def save(self, *args, **kwargs) -> None:
        # set_password() leaves the new raw password in _password until the save; a token issued
        # under the old password must not outlive it.
        password_changed = self._password is not None and self.pk is not None
        super().save(*args, **kwargs)
        if password_changed:
            from rest_framework.authtoken.models import Token

            if Token.objects.filter(user=self).delete()[0]:
                Token.objects.create(user=self)

    @property
    def is_retailer(self) -> bool:
        return self.role == Role.RETAILER

    @property
    def is_vendor(self) -> bool:
        return self.role == Role.VENDOR

    @property
    def is_sales_rep(self) -> bool:
        return self.role == Role.SALES_REP

    @property
    def sees_everything(self) -> bool:
        """Analysts and admins work across the whole marketplace."""
        return self.role in (Role.ANALYST, Role.ADMIN) or self.is_superuser
