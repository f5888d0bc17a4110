//! Class resources: a teacher adds documents to folders, the class reads them, another class
//! does not; names keep their kind's extension; the quota refuses what would not fit, whole.

use axum::http::StatusCode;

use crate::harness::{Cast, TestApp, plain};

#[tokio::test]
async fn a_teacher_keeps_a_class_resources_the_class_reads_them_and_the_quota_holds() {
    let app = TestApp::with_config(|c| c.resources_quota_bytes = 100).await;
    let a = app.class_course();
    let Cast { division, teacher, pupil, elsewhere, .. } = app.cast(a);
    let d = &division;
    let shelf = format!("/resources/d-{d}/{}", a.subject_id);

    let mut t = app.signed_in(&teacher).await;
    assert!(t.get("/resources").await.text.contains(&shelf), "the teacher's class and subject are listed");
    let r = t.submit_multipart(&shelf, &shelf, &[("folder", "Chapitre 1")], &[("files", "cours", b"%PDF-1.4 cours")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", plain(&r.text));
    let r = t.submit_multipart(&shelf, &shelf, &[("folder", "")], &[("files", "consignes.txt", b"Lire le chapitre.")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // Refused, nothing added: a page posing as a document; past the quota (100 bytes).
    let r = t.submit_multipart(&shelf, &shelf, &[("folder", "")], &[("files", "x.pdf", b"<html><script>1</script>")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = t.submit_multipart(&shelf, &shelf, &[("folder", "Chapitre 2")], &[("files", "gros.txt", &[b'a'; 90])]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(plain(&r.text).contains("ne suffit pas"), "{}", plain(&r.text));
    let page = plain(&t.get(&shelf).await.text);
    assert!(page.contains("cours.pdf") && page.contains("consignes.txt") && page.contains("Chapitre 1") && !page.contains("gros.txt"), "{page}");

    // The class reads and downloads; it does not add.
    let mut p = app.signed_in(&pupil).await;
    assert!(p.get("/resources").await.text.contains(&shelf));
    let html = p.get(&shelf).await.text;
    assert!(!html.contains("add-resources"), "no form for pupils");
    let file = html.split("href=\"").find(|x| x.starts_with("/resources/folders/") && x.contains("/files/")).map(|x| x[..x.find('"').unwrap()].to_owned()).unwrap();
    assert_eq!(p.get(&file).await.status, StatusCode::OK);
    assert_eq!(p.submit_multipart(&shelf, &shelf, &[("folder", "")], &[("files", "a.txt", b"a")]).await.status, StatusCode::FORBIDDEN);
    // Another class: neither the shelf nor the file.
    let mut o = app.signed_in(&elsewhere).await;
    assert_eq!(o.get(&shelf).await.status, StatusCode::FORBIDDEN);
    assert_eq!(o.get(&file).await.status, StatusCode::FORBIDDEN);

    // Another school's administrator: not even found.
    let neighbour = app.neighbour_admin().await;
    let mut n = app.signed_in(&neighbour).await;
    assert_eq!(n.submit_multipart("/dashboard", &shelf, &[("folder", "")], &[("files", "intrus.txt", b"intrus")]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(n.get(&shelf).await.status, StatusCode::NOT_FOUND);
    // The root folder is not deleted, nor what it holds.
    let root = t.get(&shelf).await.text.split("data-folder=\"").nth(1).map(|x| x[..x.find('"').unwrap()].to_owned()).unwrap();
    assert_eq!(t.submit(&shelf, &format!("/resources/folders/{root}/delete"), &[]).await.status, StatusCode::BAD_REQUEST);
    assert!(plain(&t.get(&shelf).await.text).contains("consignes.txt"));
    // Renamed (its kind's extension kept), deleted.
    let rename = t.get(&shelf).await.text.split("action=\"").find(|x| x.contains("/rename")).map(|x| x[..x.find('"').unwrap()].to_owned()).unwrap();
    let r = t.submit(&shelf, &rename, &[("name", "../Plan du cours.exe")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = plain(&t.get(&shelf).await.text);
    assert!(page.contains("Plan du cours.exe.") && !page.contains("../"), "{page}");
    let delete = t.get(&shelf).await.text.split("action=\"").find(|x| x.contains("/files/") && x.contains("/delete")).map(|x| x[..x.find('"').unwrap()].to_owned()).unwrap();
    assert_eq!(t.submit(&shelf, &delete, &[]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(p.submit(&shelf, &delete, &[]).await.status, StatusCode::FORBIDDEN);
}
