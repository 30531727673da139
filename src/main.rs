#[tokio::main]
async fn main() -> std::process::ExitCode {
    eventos::server::startup::main().await
}
