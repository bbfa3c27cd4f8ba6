//! `cargo run -p lucia-demo`: the demo app on 127.0.0.1:3000 with a SQLite file.

use std::net::SocketAddr;

use clap::Parser;
use lucia_demo::{Settings, serve};

/// The lucia demo app.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:3000")]
    addr: SocketAddr,
    /// Database URL: sqlite://FILE, postgres://... or mysql://... (created and migrated on start).
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://lucia-demo.db")]
    database_url: String,
    /// Send `Secure` cookies and expect https origins (when served behind TLS).
    #[arg(long)]
    secure_cookies: bool,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let settings = Settings {
        database_url: args.database_url,
        secure_cookies: args.secure_cookies,
    };
    if let Err(err) = serve(settings, args.addr).await {
        eprintln!("lucia-demo: {err}");
        std::process::exit(1);
    }
}
