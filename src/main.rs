use casecoach::screen::safe;
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = casecoach::cli::Cli::parse();
    match casecoach::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // An error can quote a file or a server's reply.
            eprintln!("casecoach: error: {}", safe(&err.to_string()));
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {}", safe(&cause.to_string()));
            }
            ExitCode::from(1)
        }
    }
}
