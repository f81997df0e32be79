"""Formulas as MathML, written into the pages at build time: they render with no network.

Sphinx's default (``sphinx.ext.mathjax``) loads MathJax from a CDN, so the
methods pages showed raw TeX offline. Browsers draw MathML themselves
(Chromium 109+, Firefox, Safari), so converting each formula once with
``latex2mathml`` (pure Python) needs no script at all. Enabled in conf.py
when latex2mathml is installed (the docs extra); otherwise the build falls
back to MathJax.
"""

from __future__ import annotations

from docutils import nodes
from latex2mathml.converter import convert


def _mathml(latex: str, display: str) -> str:
    return convert(latex.strip(), display=display)


def visit_math(self, node: nodes.Element) -> None:
    self.body.append(f'<span class="math notranslate">{_mathml(node.astext(), "inline")}</span>')
    raise nodes.SkipNode


def visit_displaymath(self, node: nodes.Element) -> None:
    latex = node.astext()
    if node.get("nowrap") and "\\begin{" in latex:
        # amsmath environments (align, ...) become an aligned block
        latex = latex.replace("\\begin{align*}", "\\begin{aligned}").replace(
            "\\end{align*}", "\\end{aligned}"
        )
        latex = latex.replace("\\begin{align}", "\\begin{aligned}").replace(
            "\\end{align}", "\\end{aligned}"
        )
    if node.get("number"):
        self.body.append(f'<span class="eqno">({node["number"]})</span>')
    self.body.append(f'<div class="math notranslate nohighlight">{_mathml(latex, "block")}</div>')
    raise nodes.SkipNode


def setup(app):
    app.add_html_math_renderer(
        "mathml", inline_renderers=(visit_math, None), block_renderers=(visit_displaymath, None)
    )
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
