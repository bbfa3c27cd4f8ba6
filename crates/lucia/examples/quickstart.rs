//! Quick start: create a user with an email + password key, sign in, validate the session,
//! sign out. Run it with `cargo run -p lucia --example quickstart`.
#![forbid(unsafe_code)]

use lucia::{Lucia, MemoryStore, NewKey, NewUser, Validation};

/// The app's own user attributes (real columns in a SQL store).
#[derive(Debug, Clone, PartialEq)]
struct Profile {
    email: String,
    name: String,
}

/// The app's own session attributes.
#[derive(Debug, Clone, PartialEq)]
struct Device {
    user_agent: String,
}

fn main() -> Result<(), lucia::Error> {
    // Any executor works: the core has no runtime of its own.
    pollster::block_on(run())
}

async fn run() -> Result<(), lucia::Error> {
    let lucia = Lucia::new(MemoryStore::<Profile, Device>::new());

    // Sign-up: the user and its email key are created together, atomically. The password is
    // hashed with Argon2id (m = 19 MiB, t = 2, p = 1).
    let email = "ada@example.com";
    let user = lucia
        .create_user(
            NewUser::new(Profile {
                email: email.into(),
                name: "Ada Lovelace".into(),
            })
            .key(NewKey::new("email", email)?.password("correct horse battery staple")),
        )
        .await?;
    println!("created user {} <{}>", user.id, user.attributes.email);

    // Sign-in: a wrong password is a typed error...
    match lucia.use_key("email", email, Some("Tr0ub4dor&3")).await {
        Err(lucia::Error::InvalidPassword) => println!("wrong password rejected"),
        other => panic!("expected InvalidPassword, got {other:?}"),
    }
    // ...the right one returns the key, and we start a new session.
    let key = lucia
        .use_key("email", email, Some("correct horse battery staple"))
        .await?;
    let (session, token) = lucia
        .create_session(
            &key.user_id,
            Device {
                user_agent: "quickstart/1.0".into(),
            },
        )
        .await?;
    println!(
        "signed in: session {} expires {}",
        session.id, session.expires_at
    );
    println!("token for the cookie: {token}  (Display hides the secret)");

    // Every request: validate the token from the cookie.
    match lucia.validate_session(token.expose_secret()).await? {
        Validation::Valid(v) => println!(
            "request from {} on {}",
            v.user.attributes.name, v.session.attributes.user_agent
        ),
        Validation::Invalid(reason) => panic!("fresh session rejected: {reason:?}"),
    }

    // Sign-out.
    lucia.invalidate_session(&session.id).await?;
    let after = lucia.validate_session(token.expose_secret()).await?;
    println!("after sign-out the token is {after:?}");
    assert!(!after.is_valid());
    Ok(())
}
