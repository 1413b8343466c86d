use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = casecoach::cli::Cli::parse();
    match casecoach::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("casecoach: error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(1)
        }
    }
}
