"""Chapter 00: one update of the sales explorer widget (menus → one of 12 views), as in the notebook."""

from bench.cases import stepper


def _setup():
    from crmlab import datasets, sales, style, widgets

    style.set_style()
    orders = datasets.load_orders()
    customers = datasets.load_customers()[["customer_id", "region", "age_band"]]
    data = orders.merge(customers, on="customer_id", how="left")
    splits = {"Canal": "channel", "Région": "region", "Tranche d'âge": "age_band"}
    metrics = {label: code for code, label in sales.METRICS.items()}
    tables = {(by, metric): sales.monthly_sales(data, by=by, metric=metric)
              for by in splits.values() for metric in metrics.values()}
    view = widgets.LiveFigure((8, 4.5), heading="Ventes mensuelles de Verdane")

    def explorer(decoupage="channel", indicateur="amount"):
        view.scene = (decoupage, indicateur)
        view.ax.clear()
        sales.plot_monthly_sales(tables[(decoupage, indicateur)], metric=indicateur, ax=view.ax, title="")
        return f"{sales.METRICS[indicateur]} par {decoupage}"

    box = widgets.explorer(view, explorer, {"decoupage": widgets.choice("Découper par", splits),
                                            "indicateur": widgets.choice("Indicateur", metrics)},
                           name="ventes mensuelles", precompute=True)
    return {"split": stepper(box.controls["decoupage"]), "metric": stepper(box.controls["indicateur"])}


CASES = [
    ("explorateur des ventes mensuelles : changer le découpage", _setup, lambda s: s["split"](), 0.15),
    ("explorateur des ventes mensuelles : changer l'indicateur", _setup, lambda s: s["metric"](), 0.15),
]
