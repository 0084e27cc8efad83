//! Server-rendered pages: sign-up, login, the dashboard, plans and admin. Each page is one
//! askama struct next to its handlers; `context` holds what every page needs.

mod account_page;
mod admin;
mod assets;
mod auth_pages;
mod batch_upload;
mod batches;
pub mod charts;
mod codes;
mod context;
mod dashboard;
mod errors;
mod forms;
mod home;
mod key_page;
mod origin;
mod plans;
pub mod redirect;
mod session;
mod studio;

use actix_web::web;

pub use admin::SummaryCache as AdminSummaryCache;
pub use context::{Nav, PageContext};
pub use errors::PageError;
pub use origin::SiteOrigin;

/// Form bodies are small; anything larger is refused before it is parsed.
pub const FORM_LIMIT_BYTES: usize = 16 * 1024;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home::show))
        .service(
            web::resource("/signup")
                .get(auth_pages::signup_form)
                .post(auth_pages::signup),
        )
        .service(
            web::resource("/login")
                .get(auth_pages::login_form)
                .post(auth_pages::login),
        )
        .route("/logout", web::post().to(auth_pages::logout))
        .route("/dashboard", web::get().to(dashboard::overview))
        .service(
            web::resource("/dashboard/api")
                .get(key_page::show)
                .post(key_page::submit),
        )
        .route("/dashboard/plans", web::get().to(plans::show))
        .route("/dashboard/studio", web::get().to(studio::show))
        .route("/dashboard/studio/preview", web::get().to(studio::preview))
        .route(
            "/dashboard/studio/download",
            web::post().to(studio::download),
        )
        .route("/dashboard/studio/sign", web::post().to(studio::sign))
        .service(
            web::resource("/dashboard/batches")
                .get(batches::show_all)
                .post(batches::upload),
        )
        .route(
            "/dashboard/batches/sample.csv",
            web::get().to(batches::sample),
        )
        .route(
            "/dashboard/batches/template/{file}",
            web::get().to(batches::template),
        )
        .route("/dashboard/batches/{id}", web::get().to(batches::show))
        .route(
            "/dashboard/batches/{id}/progress",
            web::get().to(batches::progress),
        )
        .route(
            "/dashboard/batches/{id}/result.zip",
            web::get().to(batches::result),
        )
        .route(
            "/dashboard/batches/{id}/delete",
            web::post().to(batches::delete),
        )
        .service(
            web::resource("/dashboard/codes")
                .get(codes::list)
                .post(codes::create),
        )
        .service(
            web::resource("/dashboard/codes/{id}")
                .get(codes::show)
                .post(codes::submit),
        )
        .route("/dashboard/codes/{id}/scans.csv", web::get().to(codes::csv))
        .route(
            "/dashboard/codes/{id}/download",
            web::get().to(codes::download),
        )
        .service(
            web::resource("/dashboard/account")
                .get(account_page::show)
                .post(account_page::delete),
        )
        .route("/admin", web::get().to(admin::show))
        .route("/admin/grant", web::post().to(admin::grant))
        .route("/admin/status", web::post().to(admin::set_status))
        .route("/static/{file}", web::get().to(assets::serve))
        .service(
            web::resource("/r/{slug}")
                .route(web::get().to(redirect::follow))
                .route(web::head().to(redirect::follow)),
        );
}

/// The HTML 404 for any unknown path outside the API.
pub async fn not_found() -> Result<actix_web::HttpResponse, PageError> {
    Err(PageError::NotFound)
}
