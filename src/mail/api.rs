//! Sent mail server functions: what the organization's messages were, for admins.

use crate::mail::{SentMail, SentMailDetail};
use crate::platform::error::AppError;
#[cfg(feature = "ssr")]
use crate::{
    mail::service,
    organizations::{Role, access::require_organizer},
    platform::reply::{parse_id, reply},
};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "list_sent_mail")]
pub async fn list_sent_mail() -> Result<Vec<SentMail>, AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        service::sent_mail(&state.pool, &scope).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "get_sent_mail")]
pub async fn get_sent_mail(mail_id: String) -> Result<SentMailDetail, AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        service::message(&state.pool, &scope, parse_id(&mail_id)?).await
    })
    .await
}
