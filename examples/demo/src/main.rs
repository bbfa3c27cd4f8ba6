//! `cargo run -p lucia-demo`: the demo app on 127.0.0.1:3000 with a SQLite file.
#![forbid(unsafe_code)]

use std::collections::HashMap;
use std::net::SocketAddr;

use clap::Parser;
use lucia_demo::{Settings, oauth, serve};

const AFTER_HELP: &str = "\
Sign-in providers (OAuth) are configured through environment variables:
  LUCIA_DEMO_<PROVIDER>_CLIENT_ID, LUCIA_DEMO_<PROVIDER>_CLIENT_SECRET, and the provider's
  parameters as LUCIA_DEMO_<PROVIDER>_<PARAM>, for any preset listed by
  `cargo run -q -p lucia-oauth --example list_providers` (PROVIDER is the id in upper case with
  '_' for '-': LUCIA_DEMO_GITHUB_CLIENT_ID, LUCIA_DEMO_MICROSOFT_ENTRA_ID_TENANT=common).
  Register http://127.0.0.1:3000/login/<id>/callback (or --public-url + the same path) as
  the redirect URI at the provider.
Any OpenID provider: LUCIA_DEMO_OIDC_ISSUER, LUCIA_DEMO_OIDC_CLIENT_ID,
  LUCIA_DEMO_OIDC_CLIENT_SECRET and optionally LUCIA_DEMO_OIDC_NAME.";

/// The lucia demo app: sign-up with email verification, sign-in with a password or OAuth,
/// two-factor authentication, password reset and sessions, on a database of your choice.
#[derive(Parser)]
#[command(version, about, after_help = AFTER_HELP)]
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
    /// The public base URL for links in mails and OAuth redirect URIs [default: http:// and
    /// the listening address].
    #[arg(long, env = "LUCIA_DEMO_PUBLIC_URL")]
    public_url: Option<String>,
    /// Turn off the development mailbox at /dev/mailbox (it shows every mail to anyone).
    #[arg(long)]
    no_dev_mailbox: bool,
    /// Deliver mail through this SMTP server: smtp://host:port (plain, for a local relay),
    /// smtp://user:pass@host:587?tls=required (STARTTLS) or smtps://user:pass@host (TLS).
    #[arg(long, env = "LUCIA_DEMO_SMTP_URL")]
    smtp_url: Option<String>,
    /// The sender of the demo's mails.
    #[arg(
        long,
        env = "LUCIA_DEMO_MAIL_FROM",
        default_value = "lucia demo <demo@localhost>"
    )]
    mail_from: String,
    /// Keep sessions in this Redis server (redis://host:port/) instead of the database.
    #[arg(long, env = "LUCIA_DEMO_SESSION_REDIS_URL")]
    session_redis_url: Option<String>,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let vars: HashMap<String, String> = std::env::vars().collect();
    let providers = match oauth::from_env(&vars) {
        Ok(providers) => providers,
        Err(err) => {
            eprintln!("lucia-demo: {err}");
            std::process::exit(2);
        }
    };
    let settings = Settings {
        database_url: args.database_url,
        secure_cookies: args.secure_cookies,
        public_url: args.public_url,
        dev_mailbox: !args.no_dev_mailbox,
        smtp_url: args.smtp_url,
        mail_from: args.mail_from,
        oauth: providers,
        session_redis_url: args.session_redis_url,
    };
    if let Err(err) = serve(settings, args.addr).await {
        eprintln!("lucia-demo: {err}");
        std::process::exit(1);
    }
}
