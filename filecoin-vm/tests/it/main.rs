//! Integration tests of the Filecoin VM through its real executor and built-in actors.

mod harness;
mod manifest;
mod sends;
mod settlement;
mod state;
