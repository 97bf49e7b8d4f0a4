//! The `shardbench` binary: all the work is in the library.

fn main() {
    std::process::exit(shardbench::cli::main_with(std::env::args_os()));
}
