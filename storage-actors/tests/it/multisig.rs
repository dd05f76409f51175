//! The multisig actor through the real VM.
