use crate::components::form::{Field, FormAlert, Select, action_error, bump_on_success, field_error};
use crate::components::guard::AccessProblem;
use crate::events::TierView;
use crate::orders::PromoView;
use crate::orders::api::{CreatePromoCode, SetPromoCodeActive, list_promo_codes};
use leptos::prelude::*;

/// The promo codes of an event, inside its editor.
#[component]
pub fn PromoCodes(event_id: String, tiers: Vec<TierView>) -> impl IntoView {
    let changes = RwSignal::new(0u32);
    let create = ServerAction::<CreatePromoCode>::new();
    let toggle = ServerAction::<SetPromoCodeActive>::new();
    bump_on_success(create, changes);
    bump_on_success(toggle, changes);
    let id = event_id.clone();
    let promos = Resource::new(move || (id.clone(), changes.get()), |(id, _)| list_promo_codes(id));
    let error = action_error(create);
    let mut tier_options = vec![(String::new(), "Every tier".to_owned())];
    tier_options.extend(tiers.iter().map(|t| (t.id.to_string(), t.name.clone())));
    view! {
        <section class="card" aria-labelledby="promo-heading">
            <h2 id="promo-heading">"Promo codes"</h2>
            <Suspense fallback=|| view! { <p aria-busy="true">"Loading promo codes…"</p> }>
                {move || Suspend::new(async move {
                    match promos.await {
                        Ok(promos) if promos.is_empty() => view! { <p class="muted">"No promo codes yet."</p> }.into_any(),
                        Ok(promos) => view! { <PromoTable promos toggle /> }.into_any(),
                        Err(problem) => view! { <AccessProblem error=problem /> }.into_any(),
                    }
                })}
            </Suspense>
            <details>
                <summary>"Add a promo code"</summary>
                <ActionForm action=create attr:novalidate=true>
                    <FormAlert error />
                    <input type="hidden" name="event_id" value=event_id />
                    <div class="grid-2">
                        <Field label="Code" name="code" id_prefix="promo" required=true hint="Letters and digits, like EARLYBIRD." error=field_error(error, "code") />
                        <Select label="Discount" name="discount_kind" id_prefix="promo" options=vec![("percent".into(), "Percent off".into()), ("fixed".into(), "Amount off (event currency)".into())] error=field_error(error, "discount_kind") />
                        <Field label="Amount" name="amount" id_prefix="promo" required=true hint="25 means 25% or $25." error=field_error(error, "amount") />
                        <Select label="Applies to" name="tier_id" id_prefix="promo" options=tier_options error=field_error(error, "tier_id") />
                        <Field label="Usage limit" name="max_uses" id_prefix="promo" kind="number" hint="Orders that may use it; empty for no limit." error=field_error(error, "max_uses") />
                        <Field label="Valid from" name="valid_from_local" id_prefix="promo" kind="datetime-local" error=field_error(error, "valid_from_local") />
                        <Field label="Valid until" name="valid_until_local" id_prefix="promo" kind="datetime-local" error=field_error(error, "valid_until_local") />
                    </div>
                    <button type="submit" class="button">"Add promo code"</button>
                </ActionForm>
            </details>
        </section>
    }
}

#[component]
fn PromoTable(promos: Vec<PromoView>, toggle: ServerAction<SetPromoCodeActive>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data-table">
                <thead><tr><th scope="col">"Code"</th><th scope="col">"Discount"</th><th scope="col">"Used"</th><th scope="col">"Valid"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                <tbody>
                    {promos.into_iter().map(|p| view! {
                        <tr class:inactive=!p.is_active>
                            <td><code>{p.code.clone()}</code> {(!p.is_active).then_some(" (off)")}</td>
                            <td>{p.discount.clone()} {p.tier_name.clone().map(|t| format!(" on {t}"))}</td>
                            <td>{p.used} {p.max_uses.map(|m| format!(" of {m}"))}</td>
                            <td>{p.window.clone().unwrap_or_else(|| "Always".into())}</td>
                            <td>
                                <ActionForm action=toggle>
                                    <input type="hidden" name="promo_id" value=p.id.to_string() />
                                    <input type="hidden" name="active" value=(!p.is_active).to_string() />
                                    <button type="submit" class="button button-secondary button-small">{if p.is_active { "Turn off" } else { "Turn on" }}</button>
                                </ActionForm>
                            </td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
