"""Code: take the run home, as a short NumPy script or as the trained network itself."""

import streamlit as st

from engine.serialize import to_json
from ui import limits, readouts, session
from ui.mathtext import plain


def script_ui(pg):
    script = readouts.script(pg)
    st.download_button("Download the script", script, file_name="backprop_playground_run.py", mime="text/x-python",
                       key="code_download_script", type="primary")
    st.code(script, language="python", line_numbers=True, wrap_lines=True)


def network_file_ui(pg):
    st.download_button("Download the network (JSON)", to_json(pg.trainer, pg.scaler), file_name="network.json",
                       mime="application/json", key="code_download_json")
    upload = st.file_uploader("Load a saved network", type=["json"], key="code_upload_json")
    if upload is not None and st.session_state.get("code_upload_done") != upload.file_id:
        st.session_state["code_upload_done"] = upload.file_id
        st.session_state.pop("code_loaded", None)
        if upload.size > limits.MAX_UPLOAD_BYTES:
            problems = [f"the file is larger than {limits.MAX_UPLOAD_BYTES:,} bytes"]
        else:
            text = upload.getvalue()
            loaded, problems = pg.network_problems(text)
        if problems:
            # The reasons repeat the file's own text (a setting's name, a value): shown as typed, not as Markdown.
            st.error(f"That network can't be loaded: {plain('; '.join(problems))}. The current network is kept.")
        else:
            st.session_state["code_loaded"] = (text, f"{'-'.join(map(str, loaded.config.layer_sizes))} network "
                                                     f"at step {loaded.steps:,}")
    if loaded := st.session_state.get("code_loaded"):
        text, description = loaded
        st.info(f"Loaded a {description}.")
        if st.button("Use it", key="code_use_loaded"):
            del st.session_state["code_loaded"]
            try:
                pg.load_network(text)
            except ValueError as error:  # the table changed since the file was read
                st.error(f"That network can't be used now: {plain(error)}. The current network is kept.")
            else:
                st.rerun()


pg = session.playground()
st.title("Code")
st.caption("This script needs only NumPy. It draws the same starting weights from the same seed, trains "
           f"the same {pg.steps:,} steps with the same arithmetic, and prints the outputs the Train page shows, "
           "digit for digit.")
script_ui(pg)
st.subheader("The trained network as JSON")
st.caption("Weights, settings and the position in training as plain numbers. Load it back here to continue "
           "exactly where you stopped.")
network_file_ui(pg)
