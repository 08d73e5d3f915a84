"""A run written out as a standalone NumPy script that prints the engine's numbers digit for digit.

Floating-point results depend on the order of operations, so the script does exactly
what Trainer._kernel does, in the same order: sigmoid as 1 / (1 + exp(-z)), the
slope times the error, deltas taken from the weights before they change, the
learning rate only where it is not 1, and the same stream of shuffled rows. Products
may swap their two factors (a * b == b * a in IEEE arithmetic); nothing else moves.
"""


import numpy as np

from .activations import ACTIVATIONS
from .datasets import COLUMNS, DATASETS, make_dataset
from .features import FEATURES, add_features, feature_labels, feature_problems, ordered
from .initializers import INITIALIZERS
from .losses import LOSSES
from .regularizers import REGULARIZERS
from .scaling import fit_scaler
from .split import split_rows

_ROW_WIDTH = 100  # a data row longer than this is wrapped, so the script stays within 120 columns

def export_script(config, X_raw, Y_raw, steps, input_scaling="none", output_scaling="none", input_divisor=1.0,
                  output_divisor=1.0, column_names=None, input_names=None, output_names=None, print_every=0,
                  new_inputs=(), learning_rate_changes=(), features=(), test_share=0.0, split_seed=0, dataset=None,
                  weight_edits=()):
    """Python source (str) training config on raw X_raw (n_rows, n_in), Y_raw (n_rows, n_out) as the engine does.

    features: names from engine.features, computed from X_raw's first columns (n_in + len(features) = the
    network's inputs). test_share, split_seed: rows held out as engine.split draws them, never trained on;
    the script prints their error. dataset: (name, n_points, noise, seed) when X_raw, Y_raw are that
    generated set, which the script then draws itself. weight_edits: ((step, layer, row, column, value), ...)
    typed in by hand after `step` updates; row n_l of layer l is its bias.
    """
    problems = config.problems()
    if problems:
        raise ValueError("; ".join(problems))
    sizes = tuple(int(s) for s in config.layer_sizes)
    features = ordered(features)
    n_base = sizes[0] - len(features)
    X_raw = _finite_table(X_raw, n_base, "inputs")
    Y_raw = _finite_table(Y_raw, sizes[-1], "outputs")
    if len(X_raw) != len(Y_raw) or len(X_raw) == 0:
        raise ValueError(f"inputs and outputs need the same number (>= 1) of rows, got {len(X_raw)} and {len(Y_raw)}")
    if problems := feature_problems(features, n_base):
        raise ValueError("; ".join(problems))
    new_inputs = np.asarray(new_inputs, dtype=np.float64).reshape(-1, n_base) if len(new_inputs) else None
    if new_inputs is not None:
        new_inputs = _finite_table(new_inputs, n_base, "new inputs")
    steps, print_every = int(steps), int(print_every)
    if steps < 0 or print_every < 0:
        raise ValueError("steps and print_every must be 0 or more")
    if dataset is not None:
        generated = make_dataset(*dataset)
        if not all(np.array_equal(a, b) for a, b in zip(generated, (X_raw, Y_raw))):
            raise ValueError("the table is not the generated data set it names (it was edited since)")
    train_rows, test_rows = split_rows(len(X_raw), test_share, split_seed)
    X_all = add_features(X_raw, features)
    fit_scaler(X_all[train_rows], Y_raw[train_rows], input_scaling, output_scaling, input_divisor,
               output_divisor)  # rejects bad settings
    start_rate, rate_changes = _learning_rate_plan(config.learning_rate, learning_rate_changes, steps)
    edits = _edit_plan(weight_edits, sizes, steps, config.bias)
    names_in, names_out = _column_names((n_base, sizes[-1]), column_names, input_names, output_names)

    n_rows, L = len(train_rows), len(sizes) - 1
    tested = len(test_rows) > 0
    batch_size = n_rows if config.batch_size == 0 or config.batch_size >= n_rows else config.batch_size
    full_batch = batch_size == n_rows
    activations = config.activations
    loss = LOSSES[config.loss]
    uses_rate = start_rate != 1.0 or bool(rate_changes)

    lines = [
        f'"""Backprop Playground: a {"-".join(map(str, sizes))} network trained for {steps} steps, in plain NumPy.',
        "",
        f"Hidden layers: {config.hidden_activation if L > 1 else 'none'}; output: {config.output_activation}; "
        f"loss: {loss.label}; seed {config.seed}.",
        "Running it prints the numbers the app showed, digit for digit.",
        '"""',
        "",
        "import numpy as np",
        "",
    ]
    used = [ACTIVATIONS[name] for name in dict.fromkeys(activations)]
    for activation in used:
        if activation.code_preamble:
            lines += [*activation.code_preamble, ""]
    for activation in used:
        if activation.code_definitions:
            lines += ["", *activation.code_definitions, ""]
    if dataset is not None:
        lines += ["", DATASETS[dataset[0]].code, ""]
    lines.append("")

    x_name = "X_raw" if input_scaling != "none" else "X"
    y_name = "y_raw" if output_scaling != "none" else "y"
    if dataset is not None:
        name, n_points, noise, seed = dataset
        lines += [f"# inputs: {', '.join(names_in or COLUMNS[:2])}; output: {', '.join(names_out or COLUMNS[2:])}",
                  f"{x_name}, {y_name} = {name}(np.random.RandomState({int(seed)}), {int(n_points)}, "
                  f"{_number(noise)})  # {int(n_points)} points drawn from the data seed {int(seed)}"]
    else:
        lines += _table_lines(x_name, X_raw, "inputs" if n_base > 1 else "input", names_in)
        lines += _table_lines(y_name, Y_raw, "outputs" if sizes[-1] > 1 else "output", names_out)
    if features:
        lines += _feature_lines(x_name, features, names_in)
    if tested:
        test_x, test_y = x_name.replace("X", "X_test"), y_name.replace("y", "y_test")
        lines += [
            "",
            f"order = np.random.RandomState({int(split_seed)}).permutation({len(X_raw)})  # the split's own seed",
            f"test_rows, train_rows = np.sort(order[:{len(test_rows)}]), np.sort(order[{len(test_rows)}:])"
            f"  # {len(test_rows)} of {len(X_raw)} rows held out, never trained on",
            f"{test_x}, {test_y} = {x_name}[test_rows], {y_name}[test_rows]",
            f"{x_name}, {y_name} = {x_name}[train_rows], {y_name}[train_rows]",
        ]
    scale_in, _ = _scaling_lines("X", input_scaling, input_divisor, X_all[train_rows])
    scale_out, to_raw_units = _scaling_lines("y", output_scaling, output_divisor, Y_raw[train_rows])
    if tested and input_scaling != "none":
        scale_in.append(f"X_test = {_scaled_expression('X_test_raw', input_scaling, input_divisor)}"
                        "  # with the training rows' numbers")
    if tested and output_scaling != "none":
        scale_out.append(f"y_test = {_scaled_expression('y_test_raw', output_scaling, output_divisor, 'y')}")
    if scale_in or scale_out:
        lines += ["", *scale_in, *scale_out]

    lines += ["", f"rng = np.random.RandomState({config.seed})  # one seed: the same starting weights every run"]
    code = INITIALIZERS[config.init].code
    for l in range(L):
        lines.append(f"syn{l} = " + code.format(n_in=sizes[l], n_out=sizes[l + 1]))
    if config.bias:
        lines += [f"bias{l} = np.zeros((1, {sizes[l + 1]}))" for l in range(L)]
    if uses_rate:
        lines.append(f"learning_rate = {_number(start_rate)}")
    penalty = penalty_code(config)
    if penalty:
        lines.append(f"regularization_rate = {_number(config.regularization_rate)}  # "
                     f"{REGULARIZERS[config.regularization].label} penalty on the weights; biases carry none")
    if len(rate_changes) > 1:
        changes = ", ".join(f"{step}: {_number(value)}" for step, value in rate_changes)
        lines.append(f"learning_rates = {{{changes}}}  # from this step on: this learning rate")
    during = {step: changes for step, changes in edits.items() if step < steps}
    if len(during) > 1:
        lines += ["edits = {  # at this step: (weights, row, column, value) typed in by hand",
                  *(f"    {step}: [{', '.join(_edit_tuple(*edit) for edit in changes)}],"
                    for step, changes in during.items()), "}"]
    n_items = batch_size * sizes[-1]
    if loss_scale_code(config.loss, n_items):
        lines.append(loss_scale_code(config.loss, n_items))
    if not full_batch:
        lines += [
            f"batch_size = {batch_size}",
            "order = np.empty(0, dtype=int)  # rows not yet used; each pass is a fresh shuffle from the same rng",
        ]

    predict_lines = [
        "def predict(l0):",
        f'    """Outputs (n_rows, {sizes[-1]}) of the trained network for scaled rows l0 (n_rows, {sizes[0]})."""',
        *["    " + layer_code(l, activations[l], config.bias) for l in range(L - 1)],
        f"    return {_forward(f'l{L - 1}', L - 1, activations[-1], config.bias)}",
    ]
    if tested:  # the loop prints the test rows' error with the weights of each printed step
        lines += ["", "", *predict_lines, ""]

    loop_uses_step = print_every > 0 or bool(rate_changes) or bool(during)
    target = "y" if full_batch else "y_batch"
    body = []
    if len(during) == 1:
        [(step, changes)] = during.items()
        body += [f"if j == {step}:  # typed in by hand", *(f"    {_edit_line(*edit)}" for edit in changes)]
    elif during:
        body += ["for weights, row, column, value in edits.get(j, ()):", "    weights[row, column] = value"]
    if len(rate_changes) == 1:
        step, value = rate_changes[0]
        body += [f"if j == {step}:", f"    learning_rate = {_number(value)}"]
    elif rate_changes:
        body.append("learning_rate = learning_rates.get(j, learning_rate)")
    if full_batch:
        body.append("l0 = X")
    else:
        body += [
            "if len(order) < batch_size:  # batches may straddle two passes",
            f"    order = np.concatenate([order, rng.permutation({n_rows})])",
            "batch, order = order[:batch_size], order[batch_size:]",
            "l0, y_batch = X[batch], y[batch]",
        ]
    body += [layer_code(l, activations[l], config.bias) for l in range(L)]
    body.append(f"l{L}_error = {target} - l{L}")
    if print_every:
        body += [f"if j % {print_every} == 0:", f'    print("Error:", np.mean(np.abs(l{L}_error)))']
        if tested:
            body.append('    print("Test error:", np.mean(np.abs(y_test - predict(X_test))))')
    body.append(output_delta_code(L, activations[-1], config.loss, n_items))
    for l in range(L - 1, 0, -1):
        body += hidden_delta_code(l, activations[l - 1])
    for l in range(L - 1, -1, -1):
        body += update_code(l, config.bias, uses_rate, penalty)
    lines += ["", f"for {'j' if loop_uses_step else '_'} in range({steps}):", *["    " + line for line in body]]
    if steps in edits:
        lines += ["# typed in by hand after the last step", *(_edit_line(*edit) for edit in edits[steps])]

    if not tested:
        lines += ["", "", *predict_lines]
    lines += [
        "", "",
        'print("Output after training:")',
        f"for row in predict(X){to_raw_units}:",
        "    print(row.tolist())",
    ]
    if tested:
        lines.append('print("Test error:", np.mean(np.abs(y_test - predict(X_test))))')
    if new_inputs is not None:
        what = "new inputs" + (", scaled below with the training table's numbers" if input_scaling != "none" else "")
        lines += ["", *_table_lines("new_inputs", new_inputs, what, [])]
        rows = "new_inputs"
        if features:
            rows = "new_X"
            lines.append(_feature_lines("new_inputs", features, names_in, into="new_X")[1])
        scaled = _scaled_expression(rows, input_scaling, input_divisor)
        lines += [
            f"for row, output in zip(new_inputs, predict({scaled}){to_raw_units}):",
            '    print("Prediction for", row.tolist(), "->", output.tolist())',
        ]
    return "\n".join(lines) + "\n"


def _feature_lines(name, features, input_names, into=None):
    """`name = np.column_stack([name, ...])`: the derived inputs appended to the table `name` (as `into`)."""
    columns = [FEATURES[feature].code.format(X=name) for feature in features]
    stacked = f"{into or name} = np.column_stack([{', '.join([name, *columns])}])"
    if len(stacked) > _ROW_WIDTH:
        stacked = "\n".join([f"{into or name} = np.column_stack([", f"    {name},", *(f"    {c}," for c in columns),
                              "])"])
    return [f"# derived inputs: {', '.join(feature_labels(features, input_names or COLUMNS[:2]))}", stacked]


def _edit_plan(weight_edits, sizes, steps, bias):
    """{step: [(layer, row, column, value, is_bias), ...]} of the edits up to `steps`, in the order they were made."""
    plan = {}
    for step, layer, row, column, value in weight_edits:
        step, layer, row, column, value = int(step), int(layer), int(row), int(column), float(value)
        if not (0 <= layer < len(sizes) - 1 and 0 <= row <= sizes[layer] - (0 if bias else 1)
                and 0 <= column < sizes[layer + 1] and step >= 0 and np.isfinite(value)):
            raise ValueError(f"a weight edit needs a step >= 0, a weight of the network and a finite value, got "
                             f"({step}, {layer}, {row}, {column}, {value})")
        if step <= steps:
            plan.setdefault(step, []).append((layer, row, column, value, row == sizes[layer]))
    return dict(sorted(plan.items()))


def _edit_target(layer, row, column, is_bias):
    return (f"bias{layer}", 0, column) if is_bias else (f"syn{layer}", row, column)


def _edit_line(layer, row, column, value, is_bias):
    name, row, column = _edit_target(layer, row, column, is_bias)
    return f"{name}[{row}, {column}] = {_number(value)}"


def _edit_tuple(layer, row, column, value, is_bias):
    name, row, column = _edit_target(layer, row, column, is_bias)
    return f"({name}, {row}, {column}, {_number(value)})"


def _finite_table(values, n_cols, what):
    table = np.asarray(values, dtype=np.float64)
    if table.ndim != 2 or table.shape[1] != n_cols:
        raise ValueError(f"{what} need {n_cols} columns, got shape {table.shape}")
    if not np.isfinite(table).all():
        raise ValueError(f"{what} must be finite numbers")
    return table


def _learning_rate_plan(learning_rate, changes, steps):
    """(rate at step 0, [(step, rate), ...] the real changes before `steps`, in step order)."""
    by_step = {}
    for step, value in ((int(s), float(v)) for s, v in changes):
        if step < 0 or not (np.isfinite(value) and value > 0):
            raise ValueError(f"a learning rate change needs a step >= 0 and a positive rate, got ({step}, {value})")
        if step < steps:
            by_step[step] = value  # of two changes at one step, the later one wins
    current = by_step.pop(0, float(learning_rate))
    start, plan = current, []
    for step in sorted(by_step):
        if by_step[step] != current:
            current = by_step[step]
            plan.append((step, current))
    return start, plan


def _column_names(sizes, column_names, input_names, output_names):
    n_in = sizes[0]
    if input_names is None and column_names is not None:
        input_names = list(column_names)[:n_in]
    if output_names is None and column_names is not None:
        output_names = list(column_names)[n_in:]
    clean = [[" ".join(str(name).split()) for name in names or []] for names in (input_names, output_names)]
    return clean[0], clean[1]


def _number(value):
    """A Python literal giving exactly this float: 3 for 3.0, -0.0 kept, repr otherwise."""
    value = float(value)
    if value == 0 and np.signbit(value):
        return "-0.0"
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(value)


def _table_lines(name, table, what, names):
    """`name = np.array([...])` one row a line, dtype=float when every number is written as a whole number."""
    rows = [", ".join(_number(v) for v in row) for row in table]
    all_whole = all("." not in cell and "e" not in cell for row in rows for cell in row.split(", "))
    lines = [f"# {what}: {', '.join(names)}" if names else f"# {what}", f"{name} = np.array(["]
    for row in rows:
        if len(row) <= _ROW_WIDTH:
            lines.append(f"    [{row}],")
            continue
        lines.append("    [")
        cells, current = row.split(", "), ""
        for cell in cells:
            if current and len(current) + len(cell) + 2 > _ROW_WIDTH:
                lines.append(f"        {current.rstrip()}")
                current = ""
            current += cell + ", "
        lines += [f"        {current.rstrip()}", "    ],"]
    lines.append("], dtype=float)" if all_whole else "])")
    return lines


def _scaling_lines(prefix, mode, divisor, raw):
    """(lines defining the scaled table `prefix`, expression suffix turning scaled outputs back into raw units)."""
    if mode == "none":
        return [], ""
    if mode == "divide":
        number = _number(divisor)
        return [f"{prefix} = {prefix}_raw / {number}  # divide by a fixed number"], f" * {number}"
    if mode == "max":
        largest = np.max(np.abs(raw), axis=0)
        lines = [f"{prefix}_max = np.abs({prefix}_raw).max(axis=0)  # each column divided by its largest size"]
        if (largest == 0).any():
            lines.append(f"{prefix}_max[{prefix}_max == 0] = 1.0  # an all-zero column stays as it is")
        return lines + [f"{prefix} = {prefix}_raw / {prefix}_max"], f" * {prefix}_max"
    span = raw.max(axis=0) - raw.min(axis=0)
    lines = [f"{prefix}_min = {prefix}_raw.min(axis=0)  # each column mapped onto [0, 1]",
             f"{prefix}_range = {prefix}_raw.max(axis=0) - {prefix}_min"]
    if (span == 0).any():
        lines.append(f"{prefix}_range[{prefix}_range == 0] = 1.0  # a constant column would divide by zero")
    return lines + [f"{prefix} = ({prefix}_raw - {prefix}_min) / {prefix}_range"], f" * {prefix}_range + {prefix}_min"


def _scaled_expression(raw, mode, divisor, prefix="X"):
    """Expression scaling raw rows with the training table's numbers (prefix X: inputs, y: outputs)."""
    if mode == "divide":
        return f"{raw} / {_number(divisor)}"
    return {"none": raw, "max": f"{raw} / {prefix}_max", "minmax": f"({raw} - {prefix}_min) / {prefix}_range"}[mode]


def layer_code(l, activation, bias):
    """Layer l + 1's forward line, `l1 = sigmoid(np.dot(l0, syn0) + bias0)`, as a script writes it."""
    return f"l{l + 1} = {_forward(f'l{l}', l, activation, bias)}"


def forward_code(config, row="l0"):
    """The whole forward pass of config's network on `row` as one expression: sigmoid(np.dot(row, syn0))."""
    expression = row
    for l, activation in enumerate(config.activations):
        expression = _forward(expression, l, activation, config.bias)
    return expression


def loss_scale_code(loss, n_items):
    """`loss_scale = 2 / 4  # why` for a batch of n_items numbers, or "" where the loss's factor is 1 for it."""
    entry = LOSSES[loss]
    if entry.scale(n_items) == 1.0:
        return ""
    note = f"  # {entry.scale_note.format(n=n_items)}" if entry.scale_note else ""
    return f"loss_scale = {entry.scale_code(n_items)}{note}"


def output_delta_code(L, activation, loss, n_items):
    """The output layer's delta line, `l2_delta = l2_error * sigmoid_slope(l2)`, for a batch of n_items numbers."""
    slope = ACTIVATIONS[activation].code_slope if LOSSES[loss].uses_slope else ""
    delta = f"l{L}_error" + (" * " + slope.format(a=f"l{L}") if slope else "")
    if loss_scale_code(loss, n_items):
        delta += " * loss_scale"
    return f"l{L}_delta = {delta}"


def hidden_delta_code(l, activation):
    """Hidden layer l's two lines: its share of the error above (through syn{l} before it changes), then its delta."""
    slope = ACTIVATIONS[activation].code_slope
    return [f"l{l}_error = l{l + 1}_delta.dot(syn{l}.T)",
            f"l{l}_delta = l{l}_error" + (" * " + slope.format(a=f"l{l}") if slope else "")]


def penalty_code(config):
    """The weight penalty's slope as code, `np.sign({W})` with {W} for the matrix, or "" when the update has none."""
    return REGULARIZERS[config.regularization].code_slope if config.penalized else ""


def update_code(l, bias, uses_rate, penalty=""):
    """The update of syn{l} (and bias{l}): every row's input times its delta, summed by the dot product.

    penalty: penalty_code(config), taken off the weights' change at the rate `regularization_rate`.
    """
    change = f"l{l}.T.dot(l{l + 1}_delta)"
    if penalty:
        change += f" - regularization_rate * {penalty.format(W=f'syn{l}')}"
        change = f"({change})" if uses_rate else change
    rate = "learning_rate * " if uses_rate else ""
    lines = [f"syn{l} += {rate}{change}"]
    if bias:
        lines.append(f"bias{l} += {rate}l{l + 1}_delta.sum(axis=0, keepdims=True)")
    return lines


def _forward(row, l, activation, bias):
    """f(row . syn{l} (+ bias{l})) as code."""
    z = f"np.dot({row}, syn{l})" + (f" + bias{l}" if bias else "")
    return ACTIVATIONS[activation].code_forward.format(z=z)
