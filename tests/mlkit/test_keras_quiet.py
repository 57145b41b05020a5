"""make demo's console: TensorFlow's retracing notices and absl's log lines stay out of it."""

import logging

import pytest


def test_tensorflow_prints_only_errors_once_keras_is_set_up():
    pytest.importorskip("tensorflow")
    from absl import logging as absl_logging

    from mlkit.keras import keras_runtime

    keras_runtime()
    import tensorflow as tf

    assert tf.get_logger().level == logging.ERROR
    assert absl_logging.get_verbosity() == absl_logging.ERROR
