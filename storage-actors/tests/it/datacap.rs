//! The datacap actor through the real VM.
