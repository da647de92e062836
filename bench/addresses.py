"""The delivery address bench shoppers give at checkout (the form requires one)."""

BENCH_ADDRESS = {"street_and_number": "Keizersgracht 1", "postal_code": "1015 AA", "city": "Amsterdam", "country": "NL"}
