from tests.api.harness import GraphQL, Org


async def test_viewer_is_the_signed_in_person(gql: GraphQL, org: Org) -> None:
    member = await org.add_member("Grace Hopper")
    data = await gql.data("{ viewer { id name isOrgFaculty } }", token=member.token)
    assert data["viewer"] == {"id": member.id, "name": "Grace Hopper", "isOrgFaculty": False}
