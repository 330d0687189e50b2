from django.contrib import admin

from gdportal.brdocs import normalize_document, only_digits

from .models import ConsumptionReading, Customer, Debt, Installation, InverterCertificate


class NumberOrDocumentSearch:
    """Search by client/installation number or CPF/CNPJ typed with or without its mask."""

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        bare = normalize_document(term)
        if term and bare and (only_digits(term) == bare or len(bare) == 14):
            return self.search_bare(queryset, bare), False
        return super().get_search_results(request, queryset, search_term)


class DebtInline(admin.TabularInline):
    model = Debt
    extra = 0


@admin.register(Customer)
class CustomerAdmin(NumberOrDocumentSearch, admin.ModelAdmin):
    list_display = ["number", "name", "document_masked", "person_type", "email"]
    list_filter = ["person_type"]
    search_fields = ["name"]
    inlines = [DebtInline]
    show_full_result_count = False

    def search_bare(self, queryset, bare):
        return queryset.filter(number=bare) | queryset.filter(document=bare)


class ReadingInline(admin.TabularInline):
    model = ConsumptionReading
    extra = 0


@admin.register(Installation)
class InstallationAdmin(NumberOrDocumentSearch, admin.ModelAdmin):
    list_display = [
        "number",
        "customer",
        "status",
        "voltage",
        "installation_class",
        "municipality",
        "regional_office",
    ]
    list_filter = ["status", "voltage", "installation_class", "regional_office"]
    list_select_related = ["customer"]
    search_fields = ["municipality", "customer__name"]
    raw_id_fields = ["customer"]
    inlines = [ReadingInline]
    show_full_result_count = False

    def search_bare(self, queryset, bare):
        return (
            queryset.filter(number=bare)
            | queryset.filter(customer__number=bare)
            | queryset.filter(customer__document=bare)
        )


@admin.register(InverterCertificate)
class InverterCertificateAdmin(admin.ModelAdmin):
    """Read-only: the table is INMETRO's list as `import_inverters` loaded it."""

    list_display = ["manufacturer", "model", "power_kw", "registration", "valid_until"]
    search_fields = ["manufacturer", "model", "registration"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
