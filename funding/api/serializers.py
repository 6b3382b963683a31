"""Serializers of donors, contributions and the grouped funding summary."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from crp_portal.api.fields import CountryRefSerializer, FiguresMixin, MoneyField
from crp_portal.api.representations import choice_labels, iso_date, iso_datetime, money_text
from crp_portal.api.writes import WriteSerializer
from funding.models import Contribution, Currency, Donor, ExchangeRate
from plans.models import Country, Plan


class DonorRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class DonorSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    country = CountryRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Donor
        fields = ["id", "name", "kind", "kind_label", "country", "updated_at"]


class CurrencyRefSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


YEARS_HELP = (
    "The year(s) of its plan it is for, each with its part of the amount (in the contribution's "
    "currency and in USD); together they are the whole contribution. A plan year's funding "
    "counts these parts, whatever the contribution's date (as FTS's usage years)."
)


class ContributionYearSerializer(serializers.Serializer):
    year = serializers.IntegerField(read_only=True, help_text="A year of the plan's period.")
    amount = MoneyField(read_only=True, help_text="Its part, in the contribution's currency.")
    amount_usd = MoneyField(
        read_only=True,
        help_text="Its part in USD at the contribution's rate; the parts add up to its USD.",
    )


class ContributionYearWriteSerializer(serializers.Serializer):
    year = serializers.IntegerField(help_text="A year of the plan's period.")
    amount = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        min_value=0,
        coerce_to_string=True,
        required=False,
        allow_null=True,
        help_text="Its part, in the contribution's currency; the parts add up to `amount`. "
        "Left out for a single year: the whole amount.",
    )


class ContributionSerializer(serializers.ModelSerializer):
    """Money from a donor; `amount_usd` was fixed at the rate in force on `contributed_on`."""

    donor = DonorRefSerializer(read_only=True)
    plan = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    amount = MoneyField(read_only=True)
    currency = CurrencyRefSerializer(read_only=True)
    units_per_usd = serializers.DecimalField(
        max_digits=20, decimal_places=8, read_only=True, coerce_to_string=True
    )
    amount_usd = MoneyField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    years = ContributionYearSerializer(many=True, read_only=True, help_text=YEARS_HELP)

    class Meta:
        model = Contribution
        fields = [
            "id",
            "donor",
            "plan",
            "objective",
            "intervention",
            "amount",
            "currency",
            "units_per_usd",
            "amount_usd",
            "years",
            "status",
            "status_label",
            "contributed_on",
            "reference",
            "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, c: Contribution) -> dict:
        if not hasattr(self, "_statuses"):
            self._statuses = choice_labels(Contribution.Status.choices)
        return {
            "id": c.pk,
            "donor": {"id": c.donor_id, "name": c.donor.name},
            "plan": c.plan.slug,
            "objective": c.objective_id,
            "intervention": c.intervention_id,
            "amount": money_text(c.amount),
            "currency": {"code": c.currency.code, "name": c.currency.name},
            "units_per_usd": f"{c.units_per_usd:.8f}",
            "amount_usd": money_text(c.amount_usd),
            "years": [
                {
                    "year": share.year,
                    "amount": money_text(share.amount),
                    "amount_usd": money_text(share.amount_usd),
                }
                for share in c.years.all()
            ],
            "status": c.status,
            "status_label": self._statuses.get(c.status, c.status),
            "contributed_on": iso_date(c.contributed_on),
            "reference": c.reference,
            "updated_at": iso_datetime(c.updated_at),
        }


class ContributionWriteSerializer(WriteSerializer):
    """What a funding officer sends: the amount in its original currency (USD is computed)."""

    read_only_names = tuple(ContributionSerializer.Meta.fields)

    donor = serializers.PrimaryKeyRelatedField(
        queryset=Donor.objects.all(), help_text="The donor's id (/api/v1/donors/)."
    )
    plan = serializers.SlugRelatedField(slug_field="slug", queryset=Plan.objects.all())
    objective = serializers.IntegerField(min_value=1, allow_null=True, required=False)
    intervention = serializers.IntegerField(min_value=1, allow_null=True, required=False)
    amount = serializers.DecimalField(
        max_digits=16, decimal_places=2, min_value=0, coerce_to_string=True
    )
    currency = serializers.SlugRelatedField(slug_field="code", queryset=Currency.objects.all())
    status = serializers.ChoiceField(choices=Contribution.Status.choices)
    contributed_on = serializers.DateField()
    reference = serializers.CharField(max_length=120, allow_blank=True, required=False)
    # The rate the donor's agreement fixed; only for those who may set exchange rates (else a
    # 400 on this field). Left out: the rate in force on `contributed_on`.
    units_per_usd = serializers.DecimalField(
        max_digits=20,
        decimal_places=8,
        required=False,
        coerce_to_string=True,
        help_text="The agreement's rate, units of the currency per US dollar (up to 8 "
        "decimals); only for those who may set exchange rates. Left out: the rate in force on "
        "`contributed_on`.",
    )

    years = ContributionYearWriteSerializer(
        many=True,
        required=False,
        allow_empty=False,
        help_text=YEARS_HELP + " Left out: a new contribution is for the year of its date, a "
        "corrected one keeps its years (one year follows a corrected amount).",
    )

    def __init__(self, *args, plans=None, **kwargs):
        super().__init__(*args, **kwargs)
        if plans is not None:
            self.fields["plan"].queryset = plans

    def validate_years(self, value: list[dict]) -> list[tuple[int, Decimal | None]]:
        return [(share["year"], share.get("amount")) for share in value]


class SummaryGroupSerializer(FiguresMixin, serializers.Serializer):
    """One group of the funding summary; key "" is "not specified" (money not earmarked down to
    the level asked for)."""

    figures_rollup = ""

    dimension = serializers.CharField(read_only=True)
    key = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    dimension_2 = serializers.CharField(
        read_only=True, allow_null=True, help_text="The second dimension asked for, or null."
    )
    key_2 = serializers.CharField(read_only=True, allow_null=True)
    label_2 = serializers.CharField(read_only=True, allow_null=True)
    computed_at = serializers.DateTimeField(read_only=True)


class DonorWriteSerializer(WriteSerializer):
    """A donor as a funding officer creates (POST) or renames / corrects it (PATCH)."""

    read_only_names = tuple(DonorSerializer.Meta.fields)

    name = serializers.CharField(max_length=200, help_text="The donor's name, unique.")
    kind = serializers.ChoiceField(
        choices=Donor.Kind.choices, required=False, help_text="What kind of donor this is."
    )
    country = serializers.SlugRelatedField(
        slug_field="iso3",
        queryset=Country.objects.all(),
        allow_null=True,
        required=False,
        help_text="ISO3 code of a government donor's country; null for none.",
    )


class ExchangeRateSerializer(serializers.ModelSerializer):
    """Units of a currency per USD in force from a date (0.999 CHF: 1 USD = 0.999 CHF)."""

    currency = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Currency.objects.all(),
        help_text="ISO 4217 code of the currency.",
    )
    on = serializers.DateField(source="rate_on", help_text="In force from this date.")
    units_per_usd = serializers.DecimalField(
        max_digits=20,
        decimal_places=8,
        min_value=Decimal("0.00000001"),
        coerce_to_string=True,
        help_text="Units of the currency one US dollar buys, as a string with 8 decimals.",
    )

    class Meta:
        model = ExchangeRate
        fields = ["id", "currency", "on", "units_per_usd", "updated_at"]
        read_only_fields = ["id", "updated_at"]


class ExchangeRateWriteSerializer(WriteSerializer):
    """A rate a funding officer records (a second one for the same day replaces the first)."""

    read_only_names = ("id", "updated_at")

    currency = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Currency.objects.all(),
        help_text="ISO 4217 code of the currency.",
    )
    on = serializers.DateField(help_text="In force from this date.")
    units_per_usd = serializers.DecimalField(
        max_digits=20,
        decimal_places=8,
        min_value=Decimal("0.00000001"),
        coerce_to_string=True,
        help_text="Units of the currency one US dollar buys (up to 8 decimals).",
    )
