"""Code: take the run home, as a short NumPy script or as the trained network itself."""

import streamlit as st

from engine.export import export_script
from engine.presets import PRESETS
from engine.serialize import from_json, to_json
from ui import limits, session

pg = session.playground()
settings, table, trainer = pg.settings, pg.table, pg.trainer
preset = PRESETS.get(settings.preset)

st.title("Code")
st.caption("This script needs only NumPy. It draws the same starting weights from the same seed, trains "
           f"the same {pg.steps:,} steps with the same arithmetic, and prints the outputs the Train page shows, "
           "digit for digit.")

print_every = preset.print_every if preset and preset.print_every else max(1, pg.steps // 6 or 1)
new_inputs = preset.new_inputs if preset and preset.new_inputs and \
    len(preset.new_inputs[0]) == len(table.inputs) else ()
script = export_script(
    trainer.config, table.X, table.Y, pg.steps,
    input_scaling=settings.input_scaling, output_scaling=settings.output_scaling,
    input_divisor=settings.input_divisor, output_divisor=settings.output_divisor,
    input_names=list(table.inputs), output_names=list(table.outputs),
    print_every=print_every if pg.steps else 0, new_inputs=new_inputs,
    learning_rate_changes=pg.learning_rate_changes,
)
st.download_button("Download the script", script, file_name="backprop_playground_run.py", mime="text/x-python",
                   key="code_download_script", type="primary")
st.code(script, language="python", line_numbers=True)

st.subheader("The trained network as JSON")
st.caption("Weights, settings and the position in training as plain numbers. Load it back here to continue "
           "exactly where you stopped.")
st.download_button("Download the network (JSON)", to_json(trainer, pg.scaler), file_name="network.json",
                   mime="application/json", key="code_download_json")
upload = st.file_uploader("Load a saved network", type=["json"], key="code_upload_json")
if upload is not None and st.session_state.get("code_upload_done") != upload.file_id:
    st.session_state["code_upload_done"] = upload.file_id
    try:
        if upload.size > limits.MAX_UPLOAD_BYTES:
            raise ValueError(f"the file is larger than {limits.MAX_UPLOAD_BYTES:,} bytes")
        loaded, _ = from_json(upload.getvalue().decode("utf-8", errors="strict"))
        if loaded.n_networks != 1:
            raise ValueError("it holds a sweep of several networks, not one")
        if loaded.config.layer_sizes[0] != len(table.inputs) or loaded.config.layer_sizes[-1] != len(table.outputs):
            raise ValueError(f"it has {loaded.config.layer_sizes[0]} inputs and {loaded.config.layer_sizes[-1]} "
                             f"outputs; the table has {len(table.inputs)} and {len(table.outputs)}")
        st.session_state["code_loaded"] = loaded
    except (ValueError, UnicodeDecodeError) as error:
        st.error(f"That network can't be loaded: {error}. The current network is kept.")
loaded = st.session_state.get("code_loaded")
if loaded is not None:
    st.info(f"Loaded a {'-'.join(map(str, loaded.config.layer_sizes))} network at step {loaded.steps:,}.")
    if st.button("Use it", key="code_use_loaded"):
        pg.adopt(loaded)
        del st.session_state["code_loaded"]
        session.settings_changed_elsewhere()
        st.rerun()
