"""The Data page's parts: the editable grid (a draft kept until it is sound), columns, scaling, files.

Each function draws one part for the session's playground and changes it only through its methods.
"""


from dataclasses import replace

import streamlit as st

from engine import SCALINGS
from ui import limits, readouts
from ui.mathtext import plain
from ui.table import (
    blank_rows,
    read_csv_upload,
    table_to_csv,
    table_to_text_frame,
    with_new_column,
    with_renamed_column,
    without_column,
)


def use(pg, frame, inputs, outputs, source):
    """Hand a whole frame to the playground; say what happened. True if it became the table."""
    check = pg.use_frame(frame, inputs, outputs)
    for note in check.notes:
        st.info(note)
    if check.table is None:
        st.error(f"{source} not used:\n\n" + "\n".join(f"- {p}" for p in check.problems)
                 + f"\n\nThe last valid table ({pg.table.n_rows} rows) is still the one the network trains on.")
    return check.table is not None


DRAFT = "data_draft"  # the grid and role picks as typed, while they do not make a sound table


def table_words(table):
    """'4 rows; inputs x1, x2; output y', names escaped for Markdown."""
    def names(role, columns):
        return f"{role}{'s' if len(columns) > 1 else ''} {', '.join(plain(c) for c in columns)}"
    return f"{table.n_rows} row{'s' if table.n_rows > 1 else ''}; {names('input', table.inputs)}; " \
           f"{names('output', table.outputs)}"


def discard_draft():
    st.session_state.pop(DRAFT, None)
    st.session_state["data_version"] += 1  # a fresh grid, showing the table in use


def editor_ui(pg):
    """The editable grid and the role pickers. What is typed is a draft: it becomes the table as soon as it
    is sound; until then it is kept, also across visits to other pages, and the page says it is not in use."""
    # The editor keeps its edits relative to the frame it was first given, so it gets a fresh key
    # (and a fresh base) whenever the table changes from outside: a preset, an upload, a column change.
    if st.session_state.get("data_last_seen") != pg.table:
        if st.session_state.pop(DRAFT, None) is not None:
            st.info("The table in use changed (a preset, a link, an upload or a column change), so the draft "
                    "you had not finished was set aside.")
        st.session_state["data_version"] = st.session_state.get("data_version", 0) + 1
        st.session_state["data_last_seen"] = pg.table
    version = st.session_state["data_version"]
    editor_key = f"data_editor_{version}"
    draft = st.session_state.get(DRAFT)
    if editor_key not in st.session_state:  # a first visit, a return to this page, or a new table
        st.session_state["data_base"] = draft[0] if draft else table_to_text_frame(pg.table)
    base = st.session_state["data_base"]
    edited = st.data_editor(base, num_rows="dynamic", key=editor_key, width="stretch",
                            height=min(480, 40 + 35 * (len(base) + 1)))
    columns = list(edited.columns)
    picked_inputs, picked_outputs = draft[1:] if draft else (pg.table.inputs, pg.table.outputs)
    role_cols = st.columns(2)
    inputs = role_cols[0].multiselect("Input columns", columns, [c for c in picked_inputs if c in columns],
                                      key=f"data_inputs_{version}")
    outputs = role_cols[1].multiselect("Output columns", columns, [c for c in picked_outputs if c in columns],
                                       key=f"data_outputs_{version}")
    blank = blank_rows(edited)
    if blank.any():  # a row just added in the grid: leave it out until it is filled in
        st.caption(f"{int(blank.sum())} empty row(s) left out until filled in.")
    check = pg.use_frame(edited[~blank], inputs, outputs)
    for note in check.notes:
        st.info(note)
    if check.table is not None:
        st.session_state.pop(DRAFT, None)
        st.session_state["data_last_seen"] = pg.table  # the editor already shows it: keep its edits
        return
    st.session_state[DRAFT] = (edited, inputs, outputs)
    st.error("**These edits are a draft, not in use:**\n\n" + "\n".join(f"- {p}" for p in check.problems)
             + f"\n\nThe network trains on the last valid table: {table_words(pg.table)}. The draft stays here, "
             "also while you visit other pages, and is used as soon as it makes a sound table.")
    st.button("Discard the draft", key="data_discard", on_click=discard_draft,
              help="Back to the table in use; the draft's edits are lost.")


def columns_ui(pg):
    add_col, rename_col, remove_col = st.columns(3)
    with add_col:
        name = st.text_input("New column name", key="data_new_name", max_chars=limits.MAX_NAME_CHARS)
        role = st.radio("as", ["input", "output"], horizontal=True, key="data_new_role")
        if st.button("Add column", key="data_add") and use(pg, *with_new_column(pg.table, name, role),
                                                            "The new column is"):
            st.rerun()
    with rename_col:
        old = st.selectbox("Column", list(pg.table.columns), key="data_rename_from")
        new = st.text_input("Rename to", key="data_rename_to", max_chars=limits.MAX_NAME_CHARS)
        if st.button("Rename", key="data_rename") and use(pg, *with_renamed_column(pg.table, old, new),
                                                           "The renamed table is"):
            st.rerun()
    with remove_col:
        gone = st.selectbox("Column ", list(pg.table.columns), key="data_remove_col")
        if st.button("Remove", key="data_remove") and use(pg, *without_column(pg.table, gone),
                                                           "The table without that column is"):
            st.rerun()


def scaling_ui(pg):
    settings, version = pg.settings, pg.settings_version
    modes = list(SCALINGS)
    wanted = {}
    for side, col in zip(("input", "output"), st.columns(2)):
        with col:
            mode = st.selectbox(f"{side.title()} scaling", modes, modes.index(getattr(settings, f"{side}_scaling")),
                                format_func=SCALINGS.get, key=f"data_{side}_scaling_{version}")
            divisor = getattr(settings, f"{side}_divisor")
            if mode == "divide":
                divisor = st.number_input(f"Divide {side}s by", value=float(divisor), format="%g",
                                          key=f"data_{side}_divisor_{version}")
            wanted[f"{side}_scaling"], wanted[f"{side}_divisor"] = mode, float(divisor)
    if any(getattr(settings, k) != v for k, v in wanted.items()):
        pg.apply_settings(replace(settings, **wanted))
        st.rerun()
    with st.expander("What the network sees (scaled table)"):
        st.dataframe(readouts.scaled_table(pg), hide_index=True, width="stretch")
    if problem := pg.targets_warning():
        st.warning(problem)
        st.button("Scale the outputs to fit", key="data_fit_targets", on_click=pg.fit_targets)


def files_ui(pg):
    upload_col, download_col = st.columns(2)
    with upload_col:
        upload = st.file_uploader(f"Upload a CSV (up to {limits.MAX_UPLOAD_BYTES // 1000:,} KB, "
                                  f"{limits.MAX_ROWS} rows, {limits.MAX_COLUMNS} columns)", type=["csv"],
                                  key="data_upload")
        if upload is not None and st.session_state.get("data_upload_done") != upload.file_id:
            st.session_state["data_upload_done"] = upload.file_id
            frame, problem = (None, f"That file is {upload.size:,} bytes; the limit is {limits.MAX_UPLOAD_BYTES:,}.") \
                if upload.size > limits.MAX_UPLOAD_BYTES else read_csv_upload(upload.getvalue())
            if frame is None:
                st.error(f"{problem} The current table stays.")
            elif use(pg, frame, list(frame.columns)[:-1], list(frame.columns)[-1:], "The uploaded table is"):
                st.session_state["data_flash"] = (f"Loaded {len(frame)} rows. The last column is the "
                                                  "output; change the roles above.")
                st.rerun()
    with download_col:
        st.download_button("Download this table as CSV", table_to_csv(pg.table), file_name="training-table.csv",
                           mime="text/csv", key="data_download")
