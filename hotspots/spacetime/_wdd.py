"""Weighted displacement difference (Wheeler & Ratcliffe 2018): did an intervention work?"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hotspots._errors import InputError
from hotspots.stats._inference import check_alpha

__all__ = ["WeightedDisplacement", "weighted_displacement_difference"]


@dataclass(frozen=True)
class WeightedDisplacement:
    """Result of :func:`weighted_displacement_difference`.

    Attributes
    ----------
    estimate : float
        The WDD: crimes prevented are negative (a fall in the treated and
        displacement areas beyond the fall in their controls).
    standard_error : float
        :math:`\\sqrt{\\phi \\sum \\text{counts}}`.
    z : float
        ``estimate / standard_error``.
    p : float
        Two-sided normal p-value of no effect.
    low, high : float
        The ``1 - alpha`` interval of the WDD.
    alpha : float
    dispersion : float
        :math:`\\phi` used (1: pure Poisson, as in the paper).
    parts : dict
        Each component's change: ``"treated"``, ``"control"`` and, with a
        displacement area, ``"displacement"`` and ``"displacement_control"``.

    Examples
    --------
    >>> from hotspots import weighted_displacement_difference
    >>> result = weighted_displacement_difference((40, 20), (40, 38))
    >>> result.estimate, result.parts
    (-18.0, {'treated': -20.0, 'control': -2.0})
    """

    estimate: float
    standard_error: float
    z: float
    p: float
    low: float
    high: float
    alpha: float
    dispersion: float
    parts: dict[str, float]


def weighted_displacement_difference(
    treated: tuple[float, float],
    control: tuple[float, float],
    *,
    displacement: tuple[float, float] | None = None,
    displacement_control: tuple[float, float] | None = None,
    dispersion: float = 1.0,
    alpha: float = 0.05,
) -> WeightedDisplacement:
    """The weighted displacement difference test of a place-based intervention.

    Parameters
    ----------
    treated, control : tuple of two counts
        Crimes (before, after) in the treated area and in its control area,
        over windows of the same length (ideally the same months of the year).
    displacement, displacement_control : tuple of two counts, optional
        Crimes (before, after) in a buffer around the treated area where crime
        might move to, and in that buffer's own control area. Give both or
        neither.
    dispersion : float, default 1.0
        :math:`\\phi` multiplying the Poisson variance; 1 is the paper's
        test. A value from :func:`hotspots.period_change` (its
        ``attrs["hotspots"]["dispersion"]``) allows for overdispersion.
    alpha : float, default 0.05
        The interval is at level ``1 - alpha``.

    Returns
    -------
    WeightedDisplacement

    Raises
    ------
    hotspots.InputError
        A count that is negative or not a number, or only one of the
        displacement pair.
    ValueError
        ``alpha`` not between 0 and 1 or ``dispersion`` below 1.

    Notes
    -----
    With :math:`T, C, D, C_D` the counts in the treated, control,
    displacement and displacement-control areas and :math:`\\Delta` after
    minus before (Wheeler & Ratcliffe 2018),

    .. math::

        WDD = \\Delta T - \\Delta C + \\Delta D - \\Delta C_D, \\qquad
        \\operatorname{Var}(WDD) = \\phi\\,(T_0 + T_1 + C_0 + C_1 + D_0 + D_1 + C_{D0} + C_{D1}),

    treating every count as an independent Poisson (or quasi-Poisson)
    variable; :math:`z = WDD / \\sqrt{\\operatorname{Var}}`. Control areas
    should have counts of the same order as the treated area: the
    difference of changes, not of ratios, is what is tested.

    Examples
    --------
    >>> from hotspots import weighted_displacement_difference
    >>> wdd = weighted_displacement_difference((60, 40), (70, 65),
    ...                                        displacement=(35, 30),
    ...                                        displacement_control=(40, 42))
    >>> wdd.estimate, round(wdd.standard_error, 2), round(wdd.z, 2)
    (-22.0, 19.54, -1.13)
    >>> round(wdd.p, 3), round(wdd.low, 1), round(wdd.high, 1)
    (0.26, -60.3, 16.3)
    """
    from scipy import stats

    alpha = check_alpha(alpha)
    if not (np.isfinite(dispersion) and dispersion >= 1):
        raise ValueError(f"dispersion must be a number >= 1, not {dispersion!r}")
    if (displacement is None) != (displacement_control is None):
        raise InputError("give both displacement and displacement_control, or neither")
    pairs = {"treated": treated, "control": control}
    if displacement is not None and displacement_control is not None:
        pairs |= {"displacement": displacement, "displacement_control": displacement_control}
    counts = {name: _pair(name, pair) for name, pair in pairs.items()}
    parts = {name: after - before for name, (before, after) in counts.items()}
    estimate = parts["treated"] - parts["control"]
    if displacement is not None:
        estimate += parts["displacement"] - parts["displacement_control"]
    variance = dispersion * sum(before + after for before, after in counts.values())
    se = float(np.sqrt(variance))
    z = estimate / se if se > 0 else 0.0
    p = float(2 * stats.norm.sf(abs(z)))
    half = float(stats.norm.ppf(1 - alpha / 2)) * se
    return WeightedDisplacement(
        estimate=float(estimate),
        standard_error=se,
        z=float(z),
        p=p,
        low=float(estimate - half),
        high=float(estimate + half),
        alpha=alpha,
        dispersion=float(dispersion),
        parts={name: float(v) for name, v in parts.items()},
    )


def _pair(name: str, pair: tuple[float, float]) -> tuple[float, float]:
    try:
        before, after = (float(v) for v in pair)
    except (TypeError, ValueError):
        raise InputError("expected (before, after) counts", column=name, value=pair) from None
    if not (np.isfinite(before) and np.isfinite(after) and before >= 0 and after >= 0):
        raise InputError("counts must be zero or more", column=name, value=pair)
    return before, after
