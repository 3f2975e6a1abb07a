# The tests beyond the unit tests, all run by ctest (scripts/test.sh).
set(SHEQU_PG_DIR ${CMAKE_BINARY_DIR}/pg-test)
set(SHEQU_TEST_ENV "SHEQU_BIN=$<TARGET_FILE:shequ>")

add_test(NAME unit-asan COMMAND ${CMAKE_SOURCE_DIR}/build-asan/shequ_unit_tests)
set_tests_properties(unit-asan PROPERTIES
  ENVIRONMENT "ASAN_OPTIONS=detect_leaks=1;UBSAN_OPTIONS=print_stacktrace=1")

add_test(NAME api-sqlite COMMAND node --test --test-concurrency=2 ${CMAKE_SOURCE_DIR}/tests/api/)
set_tests_properties(api-sqlite PROPERTIES ENVIRONMENT "${SHEQU_TEST_ENV}")

# A real PostgreSQL 15 server, started for the run and removed afterwards,
# also when a test fails (ctest runs cleanup fixtures regardless).
add_test(NAME postgresql-start COMMAND ${CMAKE_SOURCE_DIR}/tests/pg.sh start ${SHEQU_PG_DIR})
add_test(NAME postgresql-stop COMMAND ${CMAKE_SOURCE_DIR}/tests/pg.sh stop ${SHEQU_PG_DIR})
set_tests_properties(postgresql-start PROPERTIES FIXTURES_SETUP postgresql)
set_tests_properties(postgresql-stop PROPERTIES FIXTURES_CLEANUP postgresql)
add_test(NAME api-postgresql COMMAND ${CMAKE_SOURCE_DIR}/tests/with-pg.sh ${SHEQU_PG_DIR}
  node --test --test-concurrency=2 ${CMAKE_SOURCE_DIR}/tests/api/)
add_test(NAME unit-postgresql COMMAND ${CMAKE_SOURCE_DIR}/tests/with-pg.sh ${SHEQU_PG_DIR}
  $<TARGET_FILE:shequ_unit_tests> --gtest_filter=*Postgres*)
set_tests_properties(api-postgresql unit-postgresql PROPERTIES
  FIXTURES_REQUIRED postgresql ENVIRONMENT "${SHEQU_TEST_ENV}")

add_test(NAME e2e COMMAND node --test --test-concurrency=1 ${CMAKE_SOURCE_DIR}/web/e2e/)
set_tests_properties(e2e PROPERTIES ENVIRONMENT "${SHEQU_TEST_ENV}")
