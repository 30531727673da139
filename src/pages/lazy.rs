//! Pages as lazily loaded routes. Built with `cargo leptos build --split`, each lands in its
//! own WASM chunk, fetched when a visitor first opens it: the bundle every visitor downloads
//! holds the home, event and checkout pages (a chunk on the way to paying would cost a buyer
//! time), and an attendee never downloads the dashboard.

use super::{account, checkin, dashboard, public};
use leptos::prelude::*;
use leptos_router::{LazyRoute, lazy_route};

macro_rules! lazy_pages {
    ($($route:ident => $page:path),* $(,)?) => {$(
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                $page().into_any()
            }
        }
    )*};
}

lazy_pages! {
    LogIn => account::login::LogInPage,
    SignUp => account::signup::SignUpPage,
    ConfirmEmail => account::confirm::ConfirmEmailPage,
    ForgotPassword => account::password::ForgotPasswordPage,
    ResetPassword => account::password::ResetPasswordPage,
    Profile => account::profile::ProfilePage,
    MyTickets => account::tickets::MyTicketsPage,
    OrderLookup => public::order::OrderLookupPage,
    Order => public::order::OrderPage,
    Ticket => public::ticket::TicketPage,
    DashboardHome => dashboard::home::DashboardHome,
    Assistant => dashboard::assistant::AssistantHome,
    Conversation => dashboard::assistant::ConversationPage,
    Events => dashboard::events::EventsPage,
    NewEvent => dashboard::event_editor::NewEventPage,
    EditEvent => dashboard::event_editor::EditEventPage,
    EventOrders => dashboard::orders::EventOrdersPage,
    EventSales => dashboard::event_sales::EventSalesPage,
    EventEmail => dashboard::announce::EventEmailPage,
    EventAttendees => dashboard::attendees::EventAttendeesPage,
    EventCheckin => dashboard::checkin::EventCheckinPage,
    EventTasks => dashboard::tasks::TaskBoardPage,
    OrderDetail => dashboard::orders::OrderDetailPage,
    Notifications => dashboard::notifications::NotificationsPage,
    SentMail => dashboard::mail::SentMailPage,
    SentMailDetail => dashboard::mail::SentMailDetailPage,
    Venues => dashboard::venues::VenuesPage,
    EditVenue => dashboard::venues::EditVenuePage,
    DoorEvents => checkin::events::DoorEventsPage,
    Team => dashboard::team::TeamPage,
    Invitation => account::invitation::InvitationPage,
    Door => checkin::door::DoorPage,
}
