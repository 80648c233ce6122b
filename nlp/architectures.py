"""The span model's own encoder: a CNN window encoder followed by a bidirectional LSTM over the sentence.

Registered in spaCy's registry under ``skillpulse.CNNBiLSTMEncoder.v1`` so that ``config/ner.cfg`` can name it;
this module must be imported before a config or a trained model that uses it is loaded (``nlp.pipeline`` and
``training.spans`` do). Pure thinc, CPU only: no PyTorch.
"""

from __future__ import annotations

from spacy.ml.models.tok2vec import MaxoutWindowEncoder
from spacy.util import registry
from thinc.api import LSTM, Model, chain, residual, with_padded
from thinc.types import Floats2d

from . import gazetteer as _gazetteer  # noqa: F401  (registers skill_gazetteer and GazetteerEmbed too)


@registry.architectures("skillpulse.CNNBiLSTMEncoder.v1")
def cnn_bilstm_encoder(
    width: int,
    window_size: int,
    maxout_pieces: int,
    depth: int,
    lstm_depth: int = 1,
    lstm_dropout: float = 0.0,
) -> Model[list[Floats2d], list[Floats2d]]:
    """``depth`` residual maxout window layers (local shape: affixes, casing, the words beside), then
    ``lstm_depth`` residual BiLSTM layers (``width`` wide: half each direction) that see the whole sentence,
    so a long skill phrase ("provide strategic advice on funding proposals") is bounded with its full context."""
    cnn = MaxoutWindowEncoder(width=width, window_size=window_size, maxout_pieces=maxout_pieces, depth=depth)
    lstm = with_padded(LSTM(width, width, bi=True, depth=lstm_depth, dropout=lstm_dropout))
    model = chain(cnn, residual(lstm))
    model.set_dim("nO", width)
    return model
