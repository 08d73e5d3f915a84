"""Playground's read-only views: its step, its network's outputs in the table's units, its rows.

A mixin of ui.state.Playground: nothing here changes the playground, so pages may call it freely
while they draw (they draw under the playground's lock).
"""


import numpy as np

from engine import ACTIVATIONS
from engine.features import add_features, feature_labels
from ui.saved import read_network
from ui.table import targets_problem


class Reading:
    """What a playground shows (see ui.state.Playground for the fields these read)."""

    @property
    def steps(self):
        return self.trainer.steps

    @property
    def config(self):
        return self.trainer.config

    @property
    def running(self):
        return self.live.running

    @property
    def run_until(self):
        return self.live.run_until

    def outputs(self):
        """The network's outputs on the training rows, in the table's units (n_train, n_out)."""
        return self.scaler.outputs_back(self.trainer.predict(self.trainer.X))

    def outputs_all(self):
        """The network's outputs on every row of the table, held out or not, in its order and units (n_rows, n_out)."""
        test = self.trainer.predict(self.trainer.X_test) if self.has_test else None
        return self.scaler.outputs_back(self.in_table_order(self.trainer.predict(self.trainer.X), test))

    def scaled_inputs(self, rows):
        """What the network sees for raw input rows (n_rows, n_in): derived inputs added, then scaled."""
        return self.scaler.inputs(add_features(rows, self.settings.features))

    def predict_raw(self, rows):
        """Outputs in table units for raw input rows (n_rows, n_in), scaled as the table was."""
        return self.scaler.outputs_back(self.trainer.predict(self.scaled_inputs(rows)))

    def input_names(self):
        """Names of the network's inputs: the table's input columns, then the derived ones."""
        return [*self.table.inputs, *feature_labels(self.settings.features, self.table.inputs)]

    @property
    def has_test(self):
        return self.trainer.has_test

    def in_table_order(self, train_values, test_values=None):
        """Rows of the training set (n_train, ...) and of the test set (n_test, ...) back in the table's order."""
        if test_values is None or not len(self.test_rows):
            return np.asarray(train_values)
        train_values, test_values = np.asarray(train_values), np.asarray(test_values)
        merged = np.empty((self.table.n_rows, *train_values.shape[1:]), dtype=train_values.dtype)
        merged[self.train_rows], merged[self.test_rows] = train_values, test_values
        return merged

    def targets_warning(self):
        """A message when the scaled targets lie outside what the output activation can reach, else None."""
        activation = ACTIVATIONS[self.settings.output_activation]
        return targets_problem(self.trainer.Y, activation.name, activation.output_range)

    def sweep_key(self):
        return (self.settings.starting_point(), self.settings.learning_rate, self.table)

    def network_problems(self, text):
        """(Trainer, []) for a saved network this playground can continue, or (None, reasons)."""
        return read_network(text, self.table)
