use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match gatehouse::Cli::parse().run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("gatehouse: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
