"""``affect-studio analyze KIND``: one module per kind (face, voice, eeg, physio), as in ``studio.commands``."""
