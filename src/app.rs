//! The root component, the HTML shell and the route table.

use crate::components::auth::Auth;
use crate::components::header::SiteHeader;
use crate::pages::{lazy, public};
use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, Link, Meta, MetaTags, Title, provide_meta_context};
use leptos_router::{
    Lazy, SsrMode,
    components::{Route, Router, Routes},
    path,
};

/// Marks `<html>` for the folded phone menu and opens or closes it until the app hydrates
/// (then the header's own handler takes over).
const MENU_BEFORE_HYDRATION: &str = "document.documentElement.classList.add('js');\
document.addEventListener('click',function(e){\
if(document.body.dataset.hydrated)return;\
var b=e.target.closest&&e.target.closest('.nav-toggle');if(!b)return;\
b.setAttribute('aria-expanded',String(document.getElementById('site-nav').classList.toggle('open')))});";

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="theme-color" content="#1d3557" />
                <AutoReload options=options.clone() />
                <HashedStylesheet options=options.clone() id="leptos" />
                // Before the first paint: the phone menu starts folded when scripts run, so
                // hydration does not move the page (without scripts it stays open), and its
                // button works before the app has hydrated.
                <script nonce=leptos::nonce::use_nonce()>{MENU_BEFORE_HYDRATION}</script>
                // Content first: the app's script and WASM load once the browser is idle,
                // off the path to the first paint (plain forms work before that).
                <HydrationScripts options defer=true />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    // Tells tests (and CSS) that the WASM bundle has taken over: effects run only in the browser.
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Link rel="icon" href="/favicon.svg" type_="image/svg+xml" />
        <Title formatter=|title: String| if title.is_empty() { "EventOS".to_string() } else { format!("{title} · EventOS") } />
        <Meta name="description" content="EventOS: event management and ticketing for corporate event planners in Toronto." />
        <Router>
            <Layout />
        </Router>
    }
}

/// Everything inside the router. The auth actions are made here because a failed plain
/// form post comes back with its error in the URL, which only the router can read.
#[component]
fn Layout() -> impl IntoView {
    Auth::provide();
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <SiteHeader />
        <main id="main" tabindex="-1">
            <ErrorBoundary fallback=|errors| view! { <public::error::ErrorPage errors /> }>
                <Routes fallback=|| view! { <public::not_found::NotFound /> }>
                    <Route path=path!("/") view=public::home::HomePage ssr=SsrMode::Async />
                    <Route path=path!("/login") view={Lazy::<lazy::LogIn>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/signup") view={Lazy::<lazy::SignUp>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/confirm-email/:token") view={Lazy::<lazy::ConfirmEmail>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/forgot-password") view={Lazy::<lazy::ForgotPassword>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/reset-password/:token") view={Lazy::<lazy::ResetPassword>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/account/profile") view={Lazy::<lazy::Profile>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/events/:slug") view=public::event::EventPage ssr=SsrMode::Async />
                    <Route path=path!("/events/:slug/checkout") view=public::checkout::CheckoutPage ssr=SsrMode::Async />
                    <Route path=path!("/orders/lookup") view={Lazy::<lazy::OrderLookup>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/orders/:token") view={Lazy::<lazy::Order>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/tickets/:token") view={Lazy::<lazy::Ticket>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/account/tickets") view={Lazy::<lazy::MyTickets>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/dashboard") view={Lazy::<lazy::DashboardHome>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/dashboard/assistant") view={Lazy::<lazy::Assistant>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/dashboard/assistant/:id") view={Lazy::<lazy::Conversation>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/dashboard/events") view={Lazy::<lazy::Events>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/dashboard/events/new") view={Lazy::<lazy::NewEvent>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/dashboard/events/:id") view={Lazy::<lazy::EventSales>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/dashboard/events/:id/edit") view={Lazy::<lazy::EditEvent>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/dashboard/events/:id/orders") view={Lazy::<lazy::EventOrders>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/dashboard/events/:id/checkin") view={Lazy::<lazy::EventCheckin>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/dashboard/events/:id/email") view={Lazy::<lazy::EventEmail>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/dashboard/events/:id/attendees") view={Lazy::<lazy::EventAttendees>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/dashboard/events/:id/tasks") view={Lazy::<lazy::EventTasks>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/dashboard/orders/:id") view={Lazy::<lazy::OrderDetail>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/dashboard/notifications") view={Lazy::<lazy::Notifications>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/dashboard/mail") view={Lazy::<lazy::SentMail>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/dashboard/mail/:id") view={Lazy::<lazy::SentMailDetail>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/dashboard/venues") view={Lazy::<lazy::Venues>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/dashboard/venues/:id") view={Lazy::<lazy::EditVenue>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/dashboard/team") view={Lazy::<lazy::Team>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/invitations/:token") view={Lazy::<lazy::Invitation>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/checkin") view={Lazy::<lazy::DoorEvents>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/checkin/:event") view={Lazy::<lazy::Door>::new()} ssr=SsrMode::Async />
                </Routes>
            </ErrorBoundary>
        </main>
        <footer class="site-footer">
            <p>"EventOS · Event management and ticketing · Toronto"</p>
        </footer>
    }
}
