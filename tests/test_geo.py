"""The distance the coordinates check measures (gdportal/geo.py, SPEC §15)."""

from decimal import Decimal

import pytest

from gdportal.geo import distance_br, haversine_m, whole_metres


def test_one_thousandth_of_a_degree_of_latitude_is_about_111_metres():
    assert haversine_m(Decimal("-19.920"), Decimal("-43.940"), Decimal("-19.921"), Decimal("-43.940")) == (
        pytest.approx(111.2, abs=0.1)
    )


def test_a_degree_along_the_equator_is_the_mean_circumference_over_360():
    # 2π × 6 371 008,8 m / 360 = 111 195,08 m.
    assert haversine_m(0, 0, 0, 1) == pytest.approx(111_195.08, abs=0.01)


def test_a_degree_of_longitude_shrinks_with_the_cosine_of_the_latitude_near_belo_horizonte():
    # At 20° S a short east-west hop measures cos(20°) of the equator's; 0.001° ≈ 104,49 m.
    assert haversine_m(-20, -43.940, -20, -43.941) == pytest.approx(104.49, abs=0.01)


def test_the_same_point_is_zero_and_the_order_does_not_matter():
    assert haversine_m(-19.92, -43.94, -19.92, -43.94) == 0
    assert haversine_m(-19.92, -43.94, -19.5, -44.1) == pytest.approx(
        haversine_m(-19.5, -44.1, -19.92, -43.94)
    )


@pytest.mark.parametrize(
    ("metres", "shown"),
    [
        (0, "0 m"),
        (99.4, "99 m"),
        (100.5, "101 m"),
        (999.4, "999 m"),
        (1000, "1,0 km"),
        (2300, "2,3 km"),
        (2349.4, "2,3 km"),
        (2350, "2,4 km"),
        (12_345, "12,3 km"),
        (1_234_567, "1.234,6 km"),
    ],
)
def test_metres_below_one_km_then_km_with_a_decimal_comma(metres, shown):
    assert distance_br(metres) == shown


def test_whole_metres_round_half_up():
    assert whole_metres(100.5) == 101 and whole_metres(100.49) == 100
