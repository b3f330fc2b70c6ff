"""VAL-BGNBD: the BG/NBD and Gamma-Gamma likelihoods against the papers'
product forms, maximum likelihood recovering the parameters a population
was drawn with, the conditional expectations against what that population
then did, the summaries computed in SQL, and `guanxi value fit`."""

from __future__ import annotations

import datetime as dt
import math
import random

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from value_kit import AS_OF

from guanxi import tables
from guanxi.cli import cli
from guanxi_value import fitting, models

np = pytest.importorskip("numpy")  # the fit extra is in requirements-dev: CI has it

CDNOW = (0.243, 4.414, 0.793, 2.426)        # Fader, Hardie & Lee (2005), CDNOW
CUSTOMERS = [(0, 0.0, 10.0), (2, 5.0, 10.0), (5, 9.5, 10.0), (1, 1.0, 3.0), (7, 30.43, 38.86)]


def _beta(a, b):
    return math.exp(math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b))


def _paper_bgnbd(r, alpha, a, b, x, t_x, T):
    """The paper's equation 6, as printed: a product, not logs."""
    common = math.exp(math.lgamma(r + x) - math.lgamma(r)) * alpha ** r
    value = _beta(a, b + x) / _beta(a, b) * common / (alpha + T) ** (r + x)
    if x > 0:
        value += _beta(a + 1, b + x - 1) / _beta(a, b) * common / (alpha + t_x) ** (r + x)
    return math.log(value)


def test_the_bgnbd_likelihood_is_the_papers(ws):
    expected = sum(_paper_bgnbd(*CDNOW, *c) for c in CUSTOMERS)
    x, t_x, T = zip(*CUSTOMERS)
    assert models.bgnbd_log_likelihood(CDNOW, x, t_x, T) == pytest.approx(expected, rel=1e-10)
    # Weights count identical customers: twice the first is its likelihood twice.
    assert models.bgnbd_log_likelihood(CDNOW, [0], [0.0], [10.0], [2]) == pytest.approx(
        2 * _paper_bgnbd(*CDNOW, 0, 0.0, 10.0), rel=1e-12)


def test_the_gamma_gamma_likelihood_is_the_papers(ws):
    p, q, g = 6.25, 3.74, 15.44                 # Fader, Hardie & Lok (2005), CDNOW
    spends = [(1, 20.0), (3, 35.5), (10, 12.25)]
    expected = 0.0
    for x, m in spends:
        expected += (math.lgamma(p * x + q) - math.lgamma(p * x) - math.lgamma(q)
                     + math.log(g ** q * m ** (p * x - 1) * x ** (p * x) / (g + m * x) ** (p * x + q)))
    xs, ms = zip(*spends)
    assert models.gamma_gamma_log_likelihood((p, q, g), xs, ms) == pytest.approx(expected,
                                                                              rel=1e-10)


def _population(n, seed, r=0.5, alpha=5.0, a=0.8, b=2.5, calibration=(20, 52), holdout=26.0):
    """Customers drawn as BG/NBD assumes: (x, t_x, T, purchases in the next ``holdout`` weeks)."""
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        rate, drop = rng.gammavariate(r, 1 / alpha), rng.betavariate(a, b)
        T = rng.uniform(*calibration)
        t, x, t_x, alive, later = 0.0, 0, 0.0, True, 0
        while alive:
            t += rng.expovariate(rate)
            if t > T + holdout:
                break
            if t > T:
                later += 1
            else:
                x, t_x = x + 1, t
            alive = rng.random() >= drop
        rows.append((x, t_x, T, later))
    return np.array(rows, dtype=float)


def test_maximum_likelihood_recovers_the_parameters_of_a_drawn_population(ws):
    people = _population(6000, seed=11)
    fit = models.fit_bgnbd(people[:, 0], people[:, 1], people[:, 2])
    assert fit.r == pytest.approx(0.5, rel=0.15)
    assert fit.alpha == pytest.approx(5.0, rel=0.2)
    assert fit.a == pytest.approx(0.8, rel=0.3)
    assert fit.b == pytest.approx(2.5, rel=0.3)
    assert fit.customers == 6000


def test_the_expected_purchases_are_what_the_population_then_did(ws):
    # Summed over customers, E[Y(t) | x, t_x, T] is the holdout's purchases.
    people = _population(6000, seed=12)
    truth = models.BgNbd(0.5, 5.0, 0.8, 2.5)
    expected = models.expected_purchases(truth, 26.0, people[:, 0], people[:, 1], people[:, 2])
    assert expected.sum() == pytest.approx(people[:, 3].sum(), rel=0.06)
    alive = models.p_alive(truth, people[:, 0], people[:, 1], people[:, 2])
    assert alive[people[:, 0] == 0].tolist() == [1.0] * int((people[:, 0] == 0).sum())
    assert ((alive > 0) & (alive <= 1)).all()


def test_gamma_gamma_recovers_its_parameters(ws):
    rng = random.Random(5)
    xs, ms = [], []
    for _ in range(4000):
        x = rng.randint(1, 8)
        nu = rng.gammavariate(3.5, 1 / 20.0)
        ms.append(sum(rng.gammavariate(6.0, 1 / nu) for _ in range(x)) / x)
        xs.append(x)
    fit = models.fit_gamma_gamma(xs, ms)
    # The mean spend p·γ/(q-1) is what the data pin down best.
    assert fit.p * fit.gamma / (fit.q - 1) == pytest.approx(6.0 * 20.0 / 2.5, rel=0.08)
    assert fit.p == pytest.approx(6.0, rel=0.2)


def test_the_summaries_are_computed_in_sql(shop, ws):
    # x counts purchase days after the first; m is the mean of the repeat days.
    for c in ("R", "ONE"):
        shop.customer(c)
    first = dt.date(2026, 8, 3)
    shop.buys("R", [(first, 30), (dt.datetime(2026, 8, 3, 15), 20),
                    (first + dt.timedelta(days=14), 40), (first + dt.timedelta(days=28), 60)])
    shop.buys("ONE", [(dt.date(2026, 11, 30), 99)])
    ctx = ws.query_context("value", AS_OF)
    with ws.engine.connect() as conn:
        rows = {r.customer_id: r for r in conn.execute(fitting.summaries(ctx))}
    assert (rows["R"].x, rows["R"].t_x, rows["R"].T, rows["R"].m) == (
        2, pytest.approx(4.0), pytest.approx((AS_OF - first).days / 7), pytest.approx(50.0))
    assert (rows["ONE"].x, rows["ONE"].t_x, rows["ONE"].T, rows["ONE"].m) == (0, 0, 0, 0)


def test_guanxi_value_fit_shows_the_parameters_and_stores_the_figures(shop, ws):
    people = _population(300, seed=3, calibration=(20, 60), holdout=0.0)
    rng = random.Random(9)
    rows = []
    for n, (x, t_x, T, _) in enumerate(people):
        first = AS_OF - dt.timedelta(days=int(T * 7))
        shop.customer(f"C{n:03d}")
        mean = math.exp(rng.gauss(3.5, 0.6))    # each customer spends around its own mean
        days = sorted({0, int(round(t_x * 7))} | {rng.randint(0, int(t_x * 7))
                                                 for _ in range(int(x) - 1)})
        rows += [{"id": f"O{n:03d}-{d}", "customer_id": f"C{n:03d}", "kind": "purchase",
                  "occurred_at": dt.datetime.combine(first + dt.timedelta(days=d), dt.time(10)),
                  "amount": round(mean * rng.gammavariate(4.0, 0.25) + 1, 2)} for d in days]
    shop.rows("interactions", rows)
    result = CliRunner().invoke(cli, ["--config", str(ws.config.path), "value", "fit",
                                      "--as-of", AS_OF.isoformat(), "--format", "json"])
    assert result.exit_code == 0, result.output
    import json

    shown = {(r["model"], r["parameter"]): r["value"] for r in json.loads(result.stdout)}
    assert shown[("BG/NBD", "customers")] == 300
    assert shown[("stored", "customers")] == 300
    assert 0 < shown[("BG/NBD", "r")] and 0 < shown[("Gamma-Gamma", "gamma")]
    m = tables.measurements
    with ws.engine.connect() as conn:
        counts = dict(conn.execute(select(m.c.metric, func.count()).group_by(m.c.metric)).all())
        one = conn.execute(select(m.c.value).where(
            m.c.metric == "value_p_alive", m.c.customer_id.in_(
                [f"C{n:03d}" for n, p in enumerate(people) if p[0] == 0]))).scalars().all()
    assert counts["value_p_alive"] == counts["value_expected_purchases"] == 300
    assert one and set(map(float, one)) == {1.0}


def test_fitting_nothing_is_an_error_for_people(ws):
    result = CliRunner().invoke(cli, ["--config", str(ws.config.path), "value", "fit",
                                      "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 2
    assert "no purchases by 2026-11-30" in result.stderr
