"""BG/NBD and Gamma-Gamma (VAL-BGNBD): the published likelihoods, fitted by
maximum likelihood with SciPy (the ``fit`` extra: ``guanxi-value[fit]``).

- BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy
  way"): while active a customer buys at a Poisson rate λ ~ Gamma(r, α);
  after each purchase it drops out with probability p ~ Beta(a, b).
  A customer is summarised by x (repeat purchases: distinct purchase days
  after the first), t_x (time from the first purchase to the last) and T
  (from the first purchase to the end of the window), here in weeks.
- Gamma-Gamma (Fader, Hardie & Lok 2005, "RFM and CLV"): the spend per
  purchase of a customer with x repeat purchases of mean m_x, with
  parameters p, q, γ, fitted on customers with x > 0.

The functions take NumPy arrays (one element per customer, or per group of
customers with ``weights``): nothing here reads the database.
"""

from __future__ import annotations

import attrs


def _np():
    try:
        import numpy as np
        from scipy import optimize, special
    except ImportError as exc:  # pragma: no cover - the extra is installed in CI
        from guanxi import UsageError

        raise UsageError("guanxi value fit needs SciPy: pip install 'guanxi-value[fit]'") from exc
    return np, optimize, special


@attrs.frozen
class BgNbd:
    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float = float("nan")
    customers: int = 0


@attrs.frozen
class GammaGamma:
    p: float
    q: float
    gamma: float
    log_likelihood: float = float("nan")
    customers: int = 0


def bgnbd_log_likelihood(params, x, t_x, T, weights=None):
    """Σ weight × ln L(r, α, a, b | x, t_x, T) (the paper's equation 6)."""
    np, _, special = _np()
    r, alpha, a, b = params
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    gammaln = special.gammaln
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    a3 = -(r + x) * np.log(alpha + T)
    repeat = x > 0
    # ln(a / (b + x - 1)) - (r + x) ln(α + t_x), only where x > 0.
    safe = np.where(repeat, b + x - 1, 1.0)
    a4 = np.where(repeat, np.log(a) - np.log(safe) - (r + x) * np.log(alpha + t_x), -np.inf)
    each = a1 + a2 + np.logaddexp(a3, a4)
    w = np.ones_like(each) if weights is None else np.asarray(weights, dtype=float)
    return float(np.sum(w * each))


def gamma_gamma_log_likelihood(params, x, m, weights=None):
    """Σ weight × ln L(p, q, γ | x, m_x) for customers with x > 0 repeat purchases."""
    np, _, special = _np()
    p, q, g = params
    x, m = np.asarray(x, dtype=float), np.asarray(m, dtype=float)
    gammaln = special.gammaln
    each = (gammaln(p * x + q) - gammaln(p * x) - gammaln(q) + q * np.log(g)
            + (p * x - 1) * np.log(m) + p * x * np.log(x) - (p * x + q) * np.log(g + m * x))
    w = np.ones_like(each) if weights is None else np.asarray(weights, dtype=float)
    return float(np.sum(w * each))


def _fit(negative, start):
    """Minimise over log parameters (all positive): L-BFGS-B, and Nelder-Mead
    from where it stopped when it did not converge (slower, but needs no gradient)."""
    np, optimize, _ = _np()

    def objective(logs):
        value = negative(np.exp(logs))
        return value if np.isfinite(value) else 1e300

    best = optimize.minimize(objective, np.log(start), method="L-BFGS-B")
    if not best.success or not np.isfinite(best.fun) or best.fun >= 1e300:
        polish = optimize.minimize(objective, best.x, method="Nelder-Mead",
                                   options={"maxiter": 4000, "xatol": 1e-6,
                                            "fatol": 1e-9 * max(1.0, abs(best.fun))})
        best = polish if polish.fun <= best.fun else best
    return np.exp(best.x), -best.fun


def fit_bgnbd(x, t_x, T, weights=None) -> BgNbd:
    np, _, _ = _np()
    w = np.ones(len(x)) if weights is None else np.asarray(weights, dtype=float)
    scale = float(np.average(T, weights=w)) if len(x) and w.sum() else 1.0
    params, ll = _fit(lambda v: -bgnbd_log_likelihood(v, x, t_x, T, w),
                      (1.0, max(scale, 1e-3), 1.0, 1.0))
    return BgNbd(*map(float, params), log_likelihood=ll, customers=int(w.sum()))


def fit_gamma_gamma(x, m, weights=None) -> GammaGamma:
    np, _, _ = _np()
    w = np.ones(len(x)) if weights is None else np.asarray(weights, dtype=float)
    mean = float(np.average(m, weights=w)) if len(x) else 1.0
    params, ll = _fit(lambda v: -gamma_gamma_log_likelihood(v, x, m, w), (1.0, 1.0, max(mean, 1e-3)))
    return GammaGamma(*map(float, params), log_likelihood=ll, customers=int(w.sum()))


def p_alive(model: BgNbd, x, t_x, T):
    """P(still active | x, t_x, T): 1 for a customer without repeat purchases."""
    np, _, _ = _np()
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    r, alpha, a, b = model.r, model.alpha, model.a, model.b
    safe = np.where(x > 0, b + x - 1, 1.0)
    odds = np.where(x > 0, (a / safe) * np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + t_x))),
                    0.0)
    return 1.0 / (1.0 + odds)


def expected_purchases(model: BgNbd, t, x, t_x, T):
    """E[purchases in the next ``t`` | x, t_x, T] (the paper's equation 10)."""
    np, _, special = _np()
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    r, alpha, a, b = model.r, model.alpha, model.a, model.b
    z = t / (alpha + T + t)
    hyp = special.hyp2f1(r + x, b + x, a + b + x - 1, z)
    head = (a + b + x - 1) / (a - 1)
    body = 1 - np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + T + t))) * hyp
    return head * body * p_alive(model, x, t_x, T)


def expected_spend(model: GammaGamma, x, m, population_mean: bool = True):
    """E[spend per purchase | x, m_x]; a customer without repeats gets the population mean."""
    np, _, _ = _np()
    x, m = np.asarray(x, dtype=float), np.asarray(m, dtype=float)
    p, q, g = model.p, model.q, model.gamma
    mean = p * g / (q - 1) if q > 1 else np.nan
    conditional = (p * (g + x * m)) / (p * x + q - 1)
    return np.where(x > 0, conditional, mean if population_mean else np.nan)
