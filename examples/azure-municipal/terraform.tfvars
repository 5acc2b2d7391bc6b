subscription_id = "00000000-0000-0000-0000-000000000000"
prefix          = "vbstad"
location        = "westeurope"

tags = {
  organisatie = "Gemeente Voorbeeldstad"
  omgeving    = "productie"
  eigenaar    = "team-platform"
}
