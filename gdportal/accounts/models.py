from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from gdportal.brdocs import mask_document


class PortalUserManager(UserManager):
    def get_by_natural_key(self, username):
        return self.get(username__iexact=username)


class User(AbstractUser):
    """One account table for every actor.

    Customers sign in to Atende with their e-mail, responsible technicians (RTs) to APR Web with their CPF and
    a password of its own (the seed keeps the two credentials apart), staff to the admin with their username.
    """

    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        RT = "rt", _("Responsible technician")
        STAFF = "staff", _("Utility staff")

    email = models.EmailField(_("e-mail"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CUSTOMER)
    cpf = models.CharField(_("CPF"), max_length=11, unique=True, null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    customer = models.ForeignKey(
        "registry.Customer",
        verbose_name=_("registry customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("The utility customer this account belongs to (customers only)."),
    )
    apr_password = models.CharField(_("APR Web password"), max_length=128, blank=True, editable=False)

    objects = PortalUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.username

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        if self.cpf == "":
            self.cpf = None
        super().save(*args, **kwargs)

    @property
    def is_customer(self):
        return self.kind == self.Kind.CUSTOMER

    @property
    def is_rt(self):
        return self.kind == self.Kind.RT

    @property
    def masked_cpf(self):
        return mask_document(self.cpf or "")

    def set_apr_password(self, raw_password):
        self.apr_password = make_password(raw_password)

    def check_apr_password(self, raw_password):
        if not self.apr_password:
            return False
        return check_password(raw_password, self.apr_password)
