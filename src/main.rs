//! The `shardbench` binary: all the work is in the library.

fn main() {
    // A panic is a bug in shardbench, never the user's input: say so on one
    // line, without a backtrace, and exit with status 2 like other errors.
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        eprintln!("shardbench: internal error{place}: {what}; please report it");
        std::process::exit(2);
    }));
    std::process::exit(shardbench::cli::main_with(std::env::args_os()));
}
