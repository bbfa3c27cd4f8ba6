//! AniList.

use crate::error::Result;
use crate::provider::{Profile, Provider};

/// AniList. Plain OAuth 2.0, no PKCE, no refresh tokens (access tokens last a year).
///
/// The only user API is GraphQL (`POST https://graphql.anilist.co`, query `Viewer { id }`);
/// the profile model has no request body, so the query is sent as the `query` URL parameter of
/// the POST. That GraphQL-over-URL form is not verified against AniList: if the server wants a
/// JSON body, the profile request fails and the sign-in fails closed (no account is guessed).
/// The account id is the numeric `Viewer.id`; AniList exposes no email.
pub fn anilist() -> Result<Provider> {
    let mut profile = Profile::endpoint("https://graphql.anilist.co", "/data/Viewer/id")?
        .query("query", "{ Viewer { id name avatar { large } } }")
        .name("/data/Viewer/name")
        .avatar("/data/Viewer/avatar/large");
    profile.method = http::Method::POST;
    Ok(Provider::oauth2(
        "anilist",
        "AniList",
        "https://anilist.co/api/v2/oauth/authorize",
        "https://anilist.co/api/v2/oauth/token",
    )?
    .profile(profile))
}
