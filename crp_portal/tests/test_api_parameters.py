"""Every API list refuses query parameters it does not know with a 400 naming them, instead of
ignoring them and answering as if filtered (issue 12, item 2); known ones still work."""

import pytest

from crp_portal.api.router import router

pytestmark = pytest.mark.django_db

LISTS = sorted(
    f"/api/v1/{prefix}/?group_by=country" if prefix == "funding/summary" else f"/api/v1/{prefix}/"
    for prefix, _viewset, _basename in router.registry
)


@pytest.mark.parametrize("url", LISTS)
def test_an_unknown_query_parameter_is_a_400_naming_it(api_client, django_user_model, url):
    if url.startswith("/api/v1/tokens/"):  # one's own tokens: a signed-in list
        api_client.force_authenticate(django_user_model.objects.create_user("partner"))
    joiner = "&" if "?" in url else "?"
    response = api_client.get(f"{url}{joiner}contry=PAK&page_size=10")
    assert response.status_code == 400, response.content
    body = response.json()
    assert list(body) == ["contry"]
    assert body["contry"][0].startswith("Unknown query parameter; this list takes: ")
    assert "page_size" in body["contry"][0]
    # Without the misspelt name the same list answers.
    assert api_client.get(f"{url}{joiner}page_size=10").status_code == 200


def test_the_parameters_of_a_lists_filterset_are_known(api_client):
    response = api_client.get("/api/v1/plans/?country=PAK&ordering=slug&page=1&format=json")
    assert response.status_code == 200, response.content
    response = api_client.get("/api/v1/contributions/?donor=1&stauts=paid")
    assert response.status_code == 400
    assert list(response.json()) == ["stauts"]


def test_an_export_refuses_unknown_parameters_too(api_client):
    response = api_client.get("/api/v1/plans/?format=csv&yaer=2020")
    assert response.status_code == 400
    assert b"yaer" in response.content and b"Unknown query parameter" in response.content


def test_a_path_no_url_matches_is_json_under_the_api_and_the_sites_page_elsewhere(client):
    response = client.get("/api/v1/no-such-list/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")
