from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from gdportal.brdocs import mask_document

from .identifiers import identifier_key


class PortalUserManager(UserManager):
    def get_by_natural_key(self, username):
        # Exactly by the key the username is stored as: the database's own case folding (iexact) matches
        # variants the lockout would count apart.
        return self.get(username=identifier_key(username))


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
    # The e-mail's identifier_key: Atende's login and the password reset look accounts up by it, exactly.
    email_key = models.CharField(max_length=254, unique=True, editable=False)
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

    @classmethod
    def normalize_username(cls, username):
        return identifier_key(username)

    def clean(self):
        super().clean()
        self.email_key = identifier_key(self.email)
        others = type(self)._default_manager.exclude(pk=self.pk)
        if self.email and others.filter(email_key=self.email_key).exists():
            raise ValidationError(
                {"email": ValidationError(_("An account with this e-mail already exists."), code="taken")}
            )
        if len(self.email_key) > self._meta.get_field("email_key").max_length:
            raise ValidationError(
                {"email": ValidationError(_("This e-mail is too long."), code="max_length")}
            )

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        self.email_key = identifier_key(self.email)
        # The username is stored as its key: the unique constraint then refuses "BF.Staff" beside "bf.staff".
        self.username = identifier_key(self.username)
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
