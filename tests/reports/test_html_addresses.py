

def test_a_printed_address_is_what_a_reader_types() -> None:
    from lymphoma_evidence.reports.html import typed_address

    assert typed_address("https://pubmed.ncbi.nlm.nih.gov/20578815/") == "pubmed.ncbi.nlm.nih.gov/20578815"
    assert typed_address("http://www.lymphoma.org/understanding/") == "lymphoma.org/understanding"
    assert typed_address("https://doi.org/10.1/x?y=1") == "doi.org/10.1/x?y=1"
