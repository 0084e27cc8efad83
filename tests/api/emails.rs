//! Account emails: normalised with NFKC; invisible, control and text-direction characters
//! and look-alike domains refused with a message on the form; and accounts whose stored
//! address predates those rules still log in and are shown with those characters escaped.

use qrgate::auth::PasswordHasher;
use qrgate::config::{Config, TRIAL_PLAN};
use qrgate::domain::{Email, PlanPeriod, Role};
use qrgate::store::{NewAccount, Store};
use reqwest::StatusCode;

use crate::helpers::{PASSWORD, START, TestApp};

async fn refused_sign_up(app: &TestApp, email: &str) -> String {
    let response = app.browser().signup(email, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{email:?}");
    let body = response.text().await.unwrap();
    assert!(body.contains("id=\"signup\""), "the form again");
    body
}

#[tokio::test]
async fn invisible_and_text_direction_characters_are_refused_with_a_message() {
    let app = TestApp::spawn().await;
    let body = refused_sign_up(&app, "ada\u{202E}gro.elpmaxe@example.org").await;
    assert!(
        body.contains("invisible, control or text-direction character (\\u{202E})"),
        "{body}"
    );
    assert!(
        !body.contains('\u{202E}'),
        "the typed text is not echoed raw"
    );
    let body = refused_sign_up(&app, "a\u{200B}da@example.org").await;
    assert!(body.contains("\\u{200B}"), "{body}");
}

#[tokio::test]
async fn a_domain_mixing_cyrillic_and_latin_letters_is_refused_with_a_message() {
    let app = TestApp::spawn().await;
    // "pаypal.com" with a Cyrillic а.
    let body = refused_sign_up(&app, "ada@p\u{0430}ypal.com").await;
    assert!(body.contains("mixes writing systems"), "{body}");
    assert!(
        body.contains("p\\u{430}ypal"),
        "the odd letter is named: {body}"
    );
}

#[tokio::test]
async fn fullwidth_letters_are_normalised_to_one_account() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let response = browser
        .signup("ＡＤＡ＠ｅｘａｍｐｌｅ．ｏｒｇ", PASSWORD)
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, dashboard) = browser.page("/dashboard").await;
    assert!(dashboard.contains("ada@example.org"), "shown normalised");
    let again = app.browser().signup("ada@example.org", PASSWORD).await;
    assert_eq!(again.status(), StatusCode::CONFLICT, "the same account");
    assert_eq!(
        app.browser()
            .login("ａｄａ@example.org", PASSWORD)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
}

/// Addresses that accounts made before the checks may hold.
const OLD_RTL: &str = "ad\u{202E}a@example.org";
const OLD_LOOK_ALIKE: &str = "bob@p\u{0430}ypal.com";
const OLD_FULLWIDTH: &str = "ｃａｒｌ@example.org";

/// Writes accounts under addresses as an earlier release stored them, before start.
fn seed_old_accounts(config: &Config) {
    let (store, _) = Store::open(&config.storage.data_dir).unwrap();
    let hasher = PasswordHasher::new(&config.accounts).unwrap();
    for old in [OLD_RTL, OLD_LOOK_ALIKE, OLD_FULLWIDTH] {
        let email = Email::lookup_forms(old).remove(0);
        assert_eq!(email.as_str(), old, "stored as typed");
        let new = NewAccount {
            email,
            password_hash: hasher.hash(PASSWORD).unwrap(),
            role: Role::User,
            period: PlanPeriod {
                plan: TRIAL_PLAN.into(),
                start: START,
                end: START + 14 * 86_400,
            },
            now: START,
        };
        store.create_account(new).unwrap().unwrap();
    }
}

#[tokio::test]
async fn accounts_stored_before_the_checks_log_in_and_are_shown_escaped() {
    let app = TestApp::spawn_with(|c| seed_old_accounts(c)).await;
    for old in [OLD_RTL, OLD_LOOK_ALIKE, OLD_FULLWIDTH] {
        let browser = app.browser();
        assert_eq!(
            browser.login(old, PASSWORD).await.status(),
            StatusCode::SEE_OTHER,
            "{old:?}"
        );
        let (_, page) = browser.page("/dashboard/account").await;
        assert!(
            !page.contains('\u{202E}') && !page.contains('\u{0430}'),
            "{old:?}"
        );
    }
    let browser = app.browser();
    browser.login(OLD_RTL, PASSWORD).await;
    let (_, page) = browser.page("/dashboard/account").await;
    assert!(page.contains("ad\\u{202E}a@example.org"), "{page}");

    let admin = app.admin().await;
    let (_, list) = admin.page("/admin").await;
    assert!(list.contains(">ad\\u{202E}a@example.org"), "{list}");
    assert!(list.contains(">bob@p\\u{430}ypal.com"), "{list}");
    assert!(
        list.contains(">\\u{FF43}\\u{FF41}\\u{FF52}\\u{FF4C}@example.org"),
        "fullwidth letters are told apart from ASCII ones: {list}"
    );
    // The admin's forms still reach these accounts.
    let disabled = admin.set_disabled(OLD_RTL, true).await;
    assert_eq!(disabled.status(), StatusCode::OK);
    assert!(
        disabled
            .text()
            .await
            .unwrap()
            .contains("ad\\u{202E}a@example.org is disabled")
    );
    let granted = admin.grant(OLD_LOOK_ALIKE, "pro").await;
    assert_eq!(granted.status(), StatusCode::OK);
    assert_eq!(
        app.browser().login(OLD_RTL, PASSWORD).await.status(),
        StatusCode::FORBIDDEN,
        "disabled"
    );
}

#[tokio::test]
async fn signing_up_again_as_an_account_stored_before_the_checks_is_refused() {
    let app = TestApp::spawn_with(|c| seed_old_accounts(c)).await;
    let response = app
        .browser()
        .signup(OLD_FULLWIDTH, "another long password")
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn an_account_stored_before_the_checks_can_still_delete_itself() {
    let app = TestApp::spawn_with(|c| seed_old_accounts(c)).await;
    let browser = app.browser();
    browser.login(OLD_RTL, PASSWORD).await;
    let deleted = browser
        .submit(
            "/dashboard/account",
            "/dashboard/account",
            &[("password", PASSWORD), ("confirm_email", OLD_RTL)],
        )
        .await;
    assert_eq!(deleted.status(), StatusCode::OK);
    assert_eq!(
        app.browser().login(OLD_RTL, PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED,
        "gone"
    );
}
