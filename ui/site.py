"""The app's pages as data: app.py builds its navigation from this table, and the tests walk it."""

from dataclasses import dataclass


@dataclass(frozen=True)
class PageEntry:
    script: str  # path from the repository root, as st.Page and AppTest's switch_page take it
    title: str
    icon: str
    url_path: str  # the page's address after the app's root ("" for the default page)
    live: bool = False  # shows training live; its live view also shows the playground's message
    trains: bool = False  # its live view runs the playground's own network (the Seeds page runs a sweep)

    @property
    def default(self):
        return self.url_path == ""


PAGES = (
    PageEntry("pages/train.py", "Train", ":material/fitness_center:", "", live=True, trains=True),
    PageEntry("pages/data.py", "Data", ":material/table:", "data"),
    PageEntry("pages/s_curve.py", "S-curve", ":material/show_chart:", "s_curve", live=True, trains=True),
    PageEntry("pages/predict.py", "Predict", ":material/online_prediction:", "predict", live=True, trains=True),
    PageEntry("pages/math.py", "Math", ":material/functions:", "math"),
    PageEntry("pages/code.py", "Code", ":material/code:", "code"),
    PageEntry("pages/seeds.py", "Seeds", ":material/casino:", "seeds", live=True),
)


def page(title):
    """The entry whose title is `title`."""
    return next(p for p in PAGES if p.title == title)
