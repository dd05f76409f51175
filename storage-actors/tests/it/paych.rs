//! The paych actor through the real VM.
