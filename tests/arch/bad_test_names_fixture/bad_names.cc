// Fixture of the test-name checker (never compiled): names it must refuse.
TEST_CASE("holds the tender; then commits") {}
TEST_CASE("FNC1 typed as Ctrl+] on de") {}
TEST_CASE("a plain name is fine") {}
