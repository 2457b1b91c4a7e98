#!/usr/bin/env python3
"""Generate the e-invoice test fixtures of crates/cli/tests/fixtures/einvoices/.

Run (Python 3.11):

    python3 -m venv /tmp/fx-venv
    /tmp/fx-venv/bin/pip install factur-x==7.8 reportlab==5.1.0 pikepdf==10.18.0 \
        pypdf==7.1.1 saxonche==13.1.1
    /tmp/fx-venv/bin/python scripts/make-einvoice-fixtures.py

`saxonche` is optional: with it, every CII and UBL document is also checked
against the EN 16931 schematron and the French reform's BR-FR schematron that
the factur-x package ships (run locally, no network). Without it only the XSD
checks run.

What it does:
  * draws the visible invoices with reportlab (embedded Vera TrueType font, so
    the accented French text is real text), adds an sRGB OutputIntent with
    pikepdf (a PDF/A prerequisite reportlab does not write);
  * writes the CII XML by hand (one template per document), checks it against
    the Factur-X XSD of its profile, and embeds it with
    facturx.generate_from_file() — the factur-x tool writes the PDF/A-3 XMP,
    the /AF array and the /Names /EmbeddedFiles tree;
  * writes the UBL 2.1 documents, checks them against the UBL 2.1 XSD;
  * writes the hostile documents;
  * re-opens every PDF with facturx and pypdf, prints where the XML sits, and
    prints what einvoice.rs's reader would extract (a Python mirror of its
    path rules), so the README's table can be checked against it.

Timestamps are pinned so that re-running gives byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import struct
import sys
from pathlib import Path
from xml.sax.saxutils import escape

import facturx
import facturx.facturx as fxmod
import pikepdf
import pypdf
from lxml import etree
from PIL import ImageCms
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

import reportlab

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "crates" / "cli" / "tests" / "fixtures" / "einvoices"

# --- reproducibility -------------------------------------------------------
# factur-x stamps /ModDate of the embedded file and the XMP dates with "now";
# pin them so the fixtures are byte-identical from one run to the next.
FIXED = dt.datetime(2026, 10, 15, 9, 30, 0, tzinfo=dt.timezone.utc)
fxmod._get_pdf_timestamp = lambda date=None: "D:20261015093000+00'00'"
fxmod._get_metadata_timestamp = lambda: "2026-10-15T09:30:00+00:00"

# PDF/A wants the Info dictionary to agree with the XMP the tool writes. The tool
# writes XMP pdf:Producer "pypdf" (its writer) and no pdf:Keywords, but leaves
# the visible PDF's /Producer and adds an Info /Keywords: align the Info side.
_prepare_info = fxmod._prepare_pdf_metadata_txt


def _prepare_info_pdfa(pdf_metadata):
    info = _prepare_info(pdf_metadata)
    info.pop("/Keywords", None)
    info["/Producer"] = "pypdf"
    return info


fxmod._prepare_pdf_metadata_txt = _prepare_info_pdfa

# --- parties ---------------------------------------------------------------
SELLER = {
    "name": "Atelier Bilan Démo SAS",
    "siren": "841234560",
    "siret": "84123456000016",
    "vat": "FR81841234560",
    "street": "12 rue de l’Épée-de-Bois",
    "zip": "75005",
    "city": "Paris",
    "email": "facturation@bilan-demo.example",
    "iban": "FR7630006000011234567890189",
}
# NB: the brief gave FR44552100554; its key is wrong (FR + key + SIREN, key =
# (12 + 3 × (SIREN mod 97)) mod 97 = 96), so the fixtures carry FR96552100554.
BUYER = {
    "name": "Maison Delmeo SAS",
    "siren": "552100554",
    "siret": "55210055400013",
    "vat": "FR96552100554",
    "email": "compta@delmeo.example",
    "street": "4 quai de la Fosse",
    "zip": "44000",
    "city": "Nantes",
}

NS_CII = (
    'xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"\n'
    '    xmlns:qdt="urn:un:unece:uncefact:data:standard:QualifiedDataType:100"\n'
    '    xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"\n'
    '    xmlns:xs="http://www.w3.org/2001/XMLSchema"\n'
    '    xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"'
)

# French mandatory mentions (Code de commerce L441-9) as EN 16931 notes.
FR_NOTES = """    <ram:IncludedNote>
      <ram:Content>Pénalités de retard : trois fois le taux d’intérêt légal.</ram:Content>
      <ram:SubjectCode>PMD</ram:SubjectCode>
    </ram:IncludedNote>
    <ram:IncludedNote>
      <ram:Content>Indemnité forfaitaire pour frais de recouvrement : 40 €.</ram:Content>
      <ram:SubjectCode>PMT</ram:SubjectCode>
    </ram:IncludedNote>
    <ram:IncludedNote>
      <ram:Content>Pas d’escompte pour paiement anticipé.</ram:Content>
      <ram:SubjectCode>AAB</ram:SubjectCode>
    </ram:IncludedNote>"""

# The French reform's processing note (BT-21 BAR): a B2B invoice to be reported.
BAR_B2B = """
    <ram:IncludedNote>
      <ram:Content>B2B</ram:Content>
      <ram:SubjectCode>BAR</ram:SubjectCode>
    </ram:IncludedNote>"""

def e(s: str) -> str:
    return escape(s)


def cii_seller() -> str:
    s = SELLER
    return f"""      <ram:SellerTradeParty>
        <ram:Name>{e(s['name'])}</ram:Name>
        <ram:SpecifiedLegalOrganization>
          <ram:ID schemeID="0002">{s['siren']}</ram:ID>
        </ram:SpecifiedLegalOrganization>
        <ram:PostalTradeAddress>
          <ram:PostcodeCode>{s['zip']}</ram:PostcodeCode>
          <ram:LineOne>{e(s['street'])}</ram:LineOne>
          <ram:CityName>{e(s['city'])}</ram:CityName>
          <ram:CountryID>FR</ram:CountryID>
        </ram:PostalTradeAddress>
        <ram:URIUniversalCommunication>
          <ram:URIID schemeID="0225">{s['siren']}</ram:URIID>
        </ram:URIUniversalCommunication>
        <ram:SpecifiedTaxRegistration>
          <ram:ID schemeID="VA">{s['vat']}</ram:ID>
        </ram:SpecifiedTaxRegistration>
      </ram:SellerTradeParty>"""


def cii_buyer(fr_b2b: bool = False) -> str:
    """The buyer. With fr_b2b, as the French reform wants it for a B2B flow
    (BR-FR-21): the electronic address BT-49 is the SIREN under scheme 0225, and
    the e-mail moves to the contact (BT-58, DefinedTradeContact)."""
    b = BUYER
    contact = (
        f"""        <ram:DefinedTradeContact>
          <ram:DepartmentName>Comptabilité fournisseurs</ram:DepartmentName>
          <ram:EmailURIUniversalCommunication>
            <ram:URIID>{e(b['email'])}</ram:URIID>
          </ram:EmailURIUniversalCommunication>
        </ram:DefinedTradeContact>
"""
        if fr_b2b
        else ""
    )
    uri = f'<ram:URIID schemeID="0225">{b["siren"]}</ram:URIID>' if fr_b2b else (
        f'<ram:URIID schemeID="EM">{e(b["email"])}</ram:URIID>'
    )
    return f"""      <ram:BuyerTradeParty>
        <ram:Name>{e(b['name'])}</ram:Name>
        <ram:SpecifiedLegalOrganization>
          <ram:ID schemeID="0002">{b['siren']}</ram:ID>
        </ram:SpecifiedLegalOrganization>
{contact}        <ram:PostalTradeAddress>
          <ram:PostcodeCode>{b['zip']}</ram:PostcodeCode>
          <ram:LineOne>{e(b['street'])}</ram:LineOne>
          <ram:CityName>{e(b['city'])}</ram:CityName>
          <ram:CountryID>FR</ram:CountryID>
        </ram:PostalTradeAddress>
        <ram:URIUniversalCommunication>
          {uri}
        </ram:URIUniversalCommunication>
        <ram:SpecifiedTaxRegistration>
          <ram:ID schemeID="VA">{b['vat']}</ram:ID>
        </ram:SpecifiedTaxRegistration>
      </ram:BuyerTradeParty>"""


def cii_en16931(
    *,
    number: str,
    type_code: str,
    issued: str,
    notes: list[str],
    line_name: str,
    qty: str,
    unit_price: str,
    excl: str,
    vat: str,
    incl: str,
    rate: str,
    delivered: str | None,
    terms: str,
    due: str | None,
    preceding: tuple[str, str] | None = None,
    billing_mode: str = "S1",
    fr_b2b: bool = False,
) -> str:
    """A Factur-X EN 16931 CII document (one line, one VAT rate)."""
    note_xml = "".join(
        f"""    <ram:IncludedNote>
      <ram:Content>{e(n)}</ram:Content>
    </ram:IncludedNote>
"""
        for n in notes
    )
    delivery = (
        f"""      <ram:ActualDeliverySupplyChainEvent>
        <ram:OccurrenceDateTime>
          <udt:DateTimeString format="102">{delivered}</udt:DateTimeString>
        </ram:OccurrenceDateTime>
      </ram:ActualDeliverySupplyChainEvent>
"""
        if delivered
        else ""
    )
    due_xml = (
        f"""        <ram:DueDateDateTime>
          <udt:DateTimeString format="102">{due}</udt:DateTimeString>
        </ram:DueDateDateTime>
"""
        if due
        else ""
    )
    preceding_xml = (
        f"""      <ram:InvoiceReferencedDocument>
        <ram:IssuerAssignedID>{preceding[0]}</ram:IssuerAssignedID>
        <ram:FormattedIssueDateTime>
          <qdt:DateTimeString format="102">{preceding[1]}</qdt:DateTimeString>
        </ram:FormattedIssueDateTime>
      </ram:InvoiceReferencedDocument>
"""
        if preceding
        else ""
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice {NS_CII}>
  <rsm:ExchangedDocumentContext>
    <ram:BusinessProcessSpecifiedDocumentContextParameter>
      <ram:ID>{billing_mode}</ram:ID>
    </ram:BusinessProcessSpecifiedDocumentContextParameter>
    <ram:GuidelineSpecifiedDocumentContextParameter>
      <ram:ID>urn:cen.eu:en16931:2017</ram:ID>
    </ram:GuidelineSpecifiedDocumentContextParameter>
  </rsm:ExchangedDocumentContext>
  <rsm:ExchangedDocument>
    <ram:ID>{number}</ram:ID>
    <ram:TypeCode>{type_code}</ram:TypeCode>
    <ram:IssueDateTime>
      <udt:DateTimeString format="102">{issued}</udt:DateTimeString>
    </ram:IssueDateTime>
{note_xml}{FR_NOTES}{BAR_B2B if fr_b2b else ""}
  </rsm:ExchangedDocument>
  <rsm:SupplyChainTradeTransaction>
    <ram:IncludedSupplyChainTradeLineItem>
      <ram:AssociatedDocumentLineDocument>
        <ram:LineID>1</ram:LineID>
      </ram:AssociatedDocumentLineDocument>
      <ram:SpecifiedTradeProduct>
        <ram:Name>{e(line_name)}</ram:Name>
      </ram:SpecifiedTradeProduct>
      <ram:SpecifiedLineTradeAgreement>
        <ram:NetPriceProductTradePrice>
          <ram:ChargeAmount>{unit_price}</ram:ChargeAmount>
        </ram:NetPriceProductTradePrice>
      </ram:SpecifiedLineTradeAgreement>
      <ram:SpecifiedLineTradeDelivery>
        <ram:BilledQuantity unitCode="HUR">{qty}</ram:BilledQuantity>
      </ram:SpecifiedLineTradeDelivery>
      <ram:SpecifiedLineTradeSettlement>
        <ram:ApplicableTradeTax>
          <ram:TypeCode>VAT</ram:TypeCode>
          <ram:CategoryCode>S</ram:CategoryCode>
          <ram:RateApplicablePercent>{rate}</ram:RateApplicablePercent>
        </ram:ApplicableTradeTax>
        <ram:SpecifiedTradeSettlementLineMonetarySummation>
          <ram:LineTotalAmount>{excl}</ram:LineTotalAmount>
        </ram:SpecifiedTradeSettlementLineMonetarySummation>
      </ram:SpecifiedLineTradeSettlement>
    </ram:IncludedSupplyChainTradeLineItem>
    <ram:ApplicableHeaderTradeAgreement>
{cii_seller()}
{cii_buyer(fr_b2b)}
    </ram:ApplicableHeaderTradeAgreement>
    <ram:ApplicableHeaderTradeDelivery>
{delivery}    </ram:ApplicableHeaderTradeDelivery>
    <ram:ApplicableHeaderTradeSettlement>
      <ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
      <ram:SpecifiedTradeSettlementPaymentMeans>
        <ram:TypeCode>58</ram:TypeCode>
        <ram:PayeePartyCreditorFinancialAccount>
          <ram:IBANID>{SELLER['iban']}</ram:IBANID>
        </ram:PayeePartyCreditorFinancialAccount>
      </ram:SpecifiedTradeSettlementPaymentMeans>
      <ram:ApplicableTradeTax>
        <ram:CalculatedAmount>{vat}</ram:CalculatedAmount>
        <ram:TypeCode>VAT</ram:TypeCode>
        <ram:BasisAmount>{excl}</ram:BasisAmount>
        <ram:CategoryCode>S</ram:CategoryCode>
        <ram:DueDateTypeCode>72</ram:DueDateTypeCode>
        <ram:RateApplicablePercent>{rate}</ram:RateApplicablePercent>
      </ram:ApplicableTradeTax>
      <ram:SpecifiedTradePaymentTerms>
        <ram:Description>{e(terms)}</ram:Description>
{due_xml}      </ram:SpecifiedTradePaymentTerms>
      <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
        <ram:LineTotalAmount>{excl}</ram:LineTotalAmount>
        <ram:TaxBasisTotalAmount>{excl}</ram:TaxBasisTotalAmount>
        <ram:TaxTotalAmount currencyID="EUR">{vat}</ram:TaxTotalAmount>
        <ram:GrandTotalAmount>{incl}</ram:GrandTotalAmount>
        <ram:DuePayableAmount>{incl}</ram:DuePayableAmount>
      </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
{preceding_xml}    </ram:ApplicableHeaderTradeSettlement>
  </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>
"""


def cii_minimum() -> str:
    """A Factur-X MINIMUM CII: header totals only, no lines, no due date."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice {NS_CII}>
  <rsm:ExchangedDocumentContext>
    <ram:BusinessProcessSpecifiedDocumentContextParameter>
      <ram:ID>B1</ram:ID>
    </ram:BusinessProcessSpecifiedDocumentContextParameter>
    <ram:GuidelineSpecifiedDocumentContextParameter>
      <ram:ID>urn:factur-x.eu:1p0:minimum</ram:ID>
    </ram:GuidelineSpecifiedDocumentContextParameter>
  </rsm:ExchangedDocumentContext>
  <rsm:ExchangedDocument>
    <ram:ID>FA-2026-0143</ram:ID>
    <ram:TypeCode>380</ram:TypeCode>
    <ram:IssueDateTime>
      <udt:DateTimeString format="102">20261020</udt:DateTimeString>
    </ram:IssueDateTime>
  </rsm:ExchangedDocument>
  <rsm:SupplyChainTradeTransaction>
    <ram:ApplicableHeaderTradeAgreement>
      <ram:BuyerReference>DELMEO-ACHATS</ram:BuyerReference>
      <ram:SellerTradeParty>
        <ram:Name>{e(SELLER['name'])}</ram:Name>
        <ram:SpecifiedLegalOrganization>
          <ram:ID schemeID="0002">{SELLER['siren']}</ram:ID>
        </ram:SpecifiedLegalOrganization>
        <ram:PostalTradeAddress>
          <ram:CountryID>FR</ram:CountryID>
        </ram:PostalTradeAddress>
        <ram:SpecifiedTaxRegistration>
          <ram:ID schemeID="VA">{SELLER['vat']}</ram:ID>
        </ram:SpecifiedTaxRegistration>
      </ram:SellerTradeParty>
      <ram:BuyerTradeParty>
        <ram:Name>{e(BUYER['name'])}</ram:Name>
        <ram:SpecifiedLegalOrganization>
          <ram:ID schemeID="0002">{BUYER['siren']}</ram:ID>
        </ram:SpecifiedLegalOrganization>
      </ram:BuyerTradeParty>
      <ram:BuyerOrderReferencedDocument>
        <ram:IssuerAssignedID>BC-2026-881</ram:IssuerAssignedID>
      </ram:BuyerOrderReferencedDocument>
    </ram:ApplicableHeaderTradeAgreement>
    <ram:ApplicableHeaderTradeDelivery/>
    <ram:ApplicableHeaderTradeSettlement>
      <ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
      <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
        <ram:TaxBasisTotalAmount>450.00</ram:TaxBasisTotalAmount>
        <ram:TaxTotalAmount currencyID="EUR">90.00</ram:TaxTotalAmount>
        <ram:GrandTotalAmount>540.00</ram:GrandTotalAmount>
        <ram:DuePayableAmount>540.00</ram:DuePayableAmount>
      </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    </ram:ApplicableHeaderTradeSettlement>
  </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>
"""


# --- UBL --------------------------------------------------------------------

UBL_NS = {
    "Invoice": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "CreditNote": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
}


def ubl_parties() -> str:
    s, b = SELLER, BUYER
    return f"""  <cac:AccountingSupplierParty>
    <cac:Party>
      <cbc:EndpointID schemeID="0225">{s['siren']}</cbc:EndpointID>
      <cac:PartyIdentification>
        <cbc:ID schemeID="0009">{s['siret']}</cbc:ID>
      </cac:PartyIdentification>
      <cac:PartyName>
        <cbc:Name>{e(s['name'])}</cbc:Name>
      </cac:PartyName>
      <cac:PostalAddress>
        <cbc:StreetName>{e(s['street'])}</cbc:StreetName>
        <cbc:CityName>{e(s['city'])}</cbc:CityName>
        <cbc:PostalZone>{s['zip']}</cbc:PostalZone>
        <cac:Country>
          <cbc:IdentificationCode>FR</cbc:IdentificationCode>
        </cac:Country>
      </cac:PostalAddress>
      <cac:PartyTaxScheme>
        <cbc:CompanyID>{s['vat']}</cbc:CompanyID>
        <cac:TaxScheme>
          <cbc:ID>VAT</cbc:ID>
        </cac:TaxScheme>
      </cac:PartyTaxScheme>
      <cac:PartyLegalEntity>
        <cbc:RegistrationName>{e(s['name'])}</cbc:RegistrationName>
        <cbc:CompanyID schemeID="0002">{s['siren']}</cbc:CompanyID>
      </cac:PartyLegalEntity>
      <cac:Contact>
        <cbc:ElectronicMail>{e(s['email'])}</cbc:ElectronicMail>
      </cac:Contact>
    </cac:Party>
  </cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty>
    <cac:Party>
      <cbc:EndpointID schemeID="0225">{b['siren']}</cbc:EndpointID>
      <cac:PartyIdentification>
        <cbc:ID schemeID="0009">{b['siret']}</cbc:ID>
      </cac:PartyIdentification>
      <cac:PartyName>
        <cbc:Name>{e(b['name'])}</cbc:Name>
      </cac:PartyName>
      <cac:PostalAddress>
        <cbc:StreetName>{e(b['street'])}</cbc:StreetName>
        <cbc:CityName>{e(b['city'])}</cbc:CityName>
        <cbc:PostalZone>{b['zip']}</cbc:PostalZone>
        <cac:Country>
          <cbc:IdentificationCode>FR</cbc:IdentificationCode>
        </cac:Country>
      </cac:PostalAddress>
      <cac:PartyTaxScheme>
        <cbc:CompanyID>{b['vat']}</cbc:CompanyID>
        <cac:TaxScheme>
          <cbc:ID>VAT</cbc:ID>
        </cac:TaxScheme>
      </cac:PartyTaxScheme>
      <cac:PartyLegalEntity>
        <cbc:RegistrationName>{e(b['name'])}</cbc:RegistrationName>
        <cbc:CompanyID schemeID="0002">{b['siren']}</cbc:CompanyID>
      </cac:PartyLegalEntity>
      <cac:Contact>
        <cbc:ElectronicMail>{e(b['email'])}</cbc:ElectronicMail>
      </cac:Contact>
    </cac:Party>
  </cac:AccountingCustomerParty>"""


UBL_NOTES = """  <cbc:Note>#PMD#Pénalités de retard : trois fois le taux d’intérêt légal.</cbc:Note>
  <cbc:Note>#PMT#Indemnité forfaitaire pour frais de recouvrement : 40 €.</cbc:Note>
  <cbc:Note>#AAB#Pas d’escompte pour paiement anticipé.</cbc:Note>"""


def ubl_invoice() -> str:
    """UBL 2.1 Invoice, two VAT rates, as the French reform's platforms carry it.

    Peppol BIS Billing 3.0 shape (EndpointID, PartyLegalEntity/CompanyID 0002,
    #CODE# notes), but BT-23 (cbc:ProfileID) holds the French billing mode M1
    (goods and services) that BR-FR-08 requires instead of the Peppol profile URN.
    """
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="{UBL_NS['Invoice']}"
         xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
         xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID>
  <cbc:ProfileID>M1</cbc:ProfileID>
  <cbc:ID>FA-2026-0150</cbc:ID>
  <cbc:IssueDate>2026-10-28</cbc:IssueDate>
  <cbc:DueDate>2026-11-27</cbc:DueDate>
  <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
  <cbc:Note>Conseil et ouvrages — octobre 2026</cbc:Note>
{UBL_NOTES}
  <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
  <cbc:BuyerReference>DELMEO-ACHATS</cbc:BuyerReference>
  <cac:OrderReference>
    <cbc:ID>BC-2026-902</cbc:ID>
  </cac:OrderReference>
{ubl_parties()}
  <cac:Delivery>
    <cbc:ActualDeliveryDate>2026-10-24</cbc:ActualDeliveryDate>
  </cac:Delivery>
  <cac:PaymentMeans>
    <cbc:PaymentMeansCode name="Virement SEPA">58</cbc:PaymentMeansCode>
    <cbc:PaymentID>FA-2026-0150</cbc:PaymentID>
    <cac:PayeeFinancialAccount>
      <cbc:ID>{SELLER['iban']}</cbc:ID>
    </cac:PayeeFinancialAccount>
  </cac:PaymentMeans>
  <cac:PaymentTerms>
    <cbc:Note>Paiement à 30 jours date de facture</cbc:Note>
  </cac:PaymentTerms>
  <cac:TaxTotal>
    <cbc:TaxAmount currencyID="EUR">105.50</cbc:TaxAmount>
    <cac:TaxSubtotal>
      <cbc:TaxableAmount currencyID="EUR">500.00</cbc:TaxableAmount>
      <cbc:TaxAmount currencyID="EUR">100.00</cbc:TaxAmount>
      <cac:TaxCategory>
        <cbc:ID>S</cbc:ID>
        <cbc:Percent>20</cbc:Percent>
        <cac:TaxScheme>
          <cbc:ID>VAT</cbc:ID>
        </cac:TaxScheme>
      </cac:TaxCategory>
    </cac:TaxSubtotal>
    <cac:TaxSubtotal>
      <cbc:TaxableAmount currencyID="EUR">100.00</cbc:TaxableAmount>
      <cbc:TaxAmount currencyID="EUR">5.50</cbc:TaxAmount>
      <cac:TaxCategory>
        <cbc:ID>S</cbc:ID>
        <cbc:Percent>5.5</cbc:Percent>
        <cac:TaxScheme>
          <cbc:ID>VAT</cbc:ID>
        </cac:TaxScheme>
      </cac:TaxCategory>
    </cac:TaxSubtotal>
  </cac:TaxTotal>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="EUR">600.00</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount currencyID="EUR">600.00</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount currencyID="EUR">705.50</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount currencyID="EUR">705.50</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>
  <cac:InvoiceLine>
    <cbc:ID>1</cbc:ID>
    <cbc:InvoicedQuantity unitCode="HUR">5</cbc:InvoicedQuantity>
    <cbc:LineExtensionAmount currencyID="EUR">500.00</cbc:LineExtensionAmount>
    <cac:Item>
      <cbc:Name>Conseil en organisation comptable</cbc:Name>
      <cac:ClassifiedTaxCategory>
        <cbc:ID>S</cbc:ID>
        <cbc:Percent>20</cbc:Percent>
        <cac:TaxScheme>
          <cbc:ID>VAT</cbc:ID>
        </cac:TaxScheme>
      </cac:ClassifiedTaxCategory>
    </cac:Item>
    <cac:Price>
      <cbc:PriceAmount currencyID="EUR">100.00</cbc:PriceAmount>
    </cac:Price>
  </cac:InvoiceLine>
  <cac:InvoiceLine>
    <cbc:ID>2</cbc:ID>
    <cbc:InvoicedQuantity unitCode="C62">4</cbc:InvoicedQuantity>
    <cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount>
    <cac:Item>
      <cbc:Name>Ouvrage « Tenir sa comptabilité » (livre)</cbc:Name>
      <cac:ClassifiedTaxCategory>
        <cbc:ID>S</cbc:ID>
        <cbc:Percent>5.5</cbc:Percent>
        <cac:TaxScheme>
          <cbc:ID>VAT</cbc:ID>
        </cac:TaxScheme>
      </cac:ClassifiedTaxCategory>
    </cac:Item>
    <cac:Price>
      <cbc:PriceAmount currencyID="EUR">25.00</cbc:PriceAmount>
    </cac:Price>
  </cac:InvoiceLine>
</Invoice>
"""


def ubl_credit_note() -> str:
    """UBL 2.1 CreditNote: refund of two books of FA-2026-0150 (5.5 %).

    Plain Peppol BIS Billing 3.0 identifiers (CustomizationID and ProfileID URNs),
    as received over Peppol: valid EN 16931, refused only by the French BR-FR-08
    (billing mode) rule.
    """
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<CreditNote xmlns="{UBL_NS['CreditNote']}"
            xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
            xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>
  <cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</cbc:ProfileID>
  <cbc:ID>AV-2026-0011</cbc:ID>
  <cbc:IssueDate>2026-11-05</cbc:IssueDate>
  <cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>
  <cbc:Note>Retour de deux ouvrages abîmés</cbc:Note>
{UBL_NOTES}
  <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
  <cbc:BuyerReference>DELMEO-ACHATS</cbc:BuyerReference>
  <cac:BillingReference>
    <cac:InvoiceDocumentReference>
      <cbc:ID>FA-2026-0150</cbc:ID>
      <cbc:IssueDate>2026-10-28</cbc:IssueDate>
    </cac:InvoiceDocumentReference>
  </cac:BillingReference>
{ubl_parties()}
  <cac:PaymentMeans>
    <cbc:PaymentMeansCode name="Virement SEPA">58</cbc:PaymentMeansCode>
    <cbc:PaymentDueDate>2026-12-05</cbc:PaymentDueDate>
    <cac:PayeeFinancialAccount>
      <cbc:ID>{SELLER['iban']}</cbc:ID>
    </cac:PayeeFinancialAccount>
  </cac:PaymentMeans>
  <cac:PaymentTerms>
    <cbc:Note>Remboursement par virement sous 30 jours</cbc:Note>
  </cac:PaymentTerms>
  <cac:TaxTotal>
    <cbc:TaxAmount currencyID="EUR">2.75</cbc:TaxAmount>
    <cac:TaxSubtotal>
      <cbc:TaxableAmount currencyID="EUR">50.00</cbc:TaxableAmount>
      <cbc:TaxAmount currencyID="EUR">2.75</cbc:TaxAmount>
      <cac:TaxCategory>
        <cbc:ID>S</cbc:ID>
        <cbc:Percent>5.5</cbc:Percent>
        <cac:TaxScheme>
          <cbc:ID>VAT</cbc:ID>
        </cac:TaxScheme>
      </cac:TaxCategory>
    </cac:TaxSubtotal>
  </cac:TaxTotal>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="EUR">50.00</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount currencyID="EUR">50.00</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount currencyID="EUR">52.75</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount currencyID="EUR">52.75</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>
  <cac:CreditNoteLine>
    <cbc:ID>1</cbc:ID>
    <cbc:CreditedQuantity unitCode="C62">2</cbc:CreditedQuantity>
    <cbc:LineExtensionAmount currencyID="EUR">50.00</cbc:LineExtensionAmount>
    <cac:Item>
      <cbc:Name>Ouvrage « Tenir sa comptabilité » (livre)</cbc:Name>
      <cac:ClassifiedTaxCategory>
        <cbc:ID>S</cbc:ID>
        <cbc:Percent>5.5</cbc:Percent>
        <cac:TaxScheme>
          <cbc:ID>VAT</cbc:ID>
        </cac:TaxScheme>
      </cac:ClassifiedTaxCategory>
    </cac:Item>
    <cac:Price>
      <cbc:PriceAmount currencyID="EUR">25.00</cbc:PriceAmount>
    </cac:Price>
  </cac:CreditNoteLine>
</CreditNote>
"""


# --- hostile documents -----------------------------------------------------

HOSTILE_XXE = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE Invoice [
  <!ENTITY xxe SYSTEM "file:///etc/passwd">
]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
         xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
         xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID>
  <cbc:ID>FA-2026-0666</cbc:ID>
  <cbc:IssueDate>2026-10-15</cbc:IssueDate>
  <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
  <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
  <cac:AccountingCustomerParty>
    <cac:Party>
      <cac:PartyName>
        <cbc:Name>&xxe;</cbc:Name>
      </cac:PartyName>
    </cac:Party>
  </cac:AccountingCustomerParty>
  <cac:LegalMonetaryTotal>
    <cbc:TaxExclusiveAmount currencyID="EUR">1000.00</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount currencyID="EUR">1200.00</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount currencyID="EUR">1200.00</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>
</Invoice>
"""

HOSTILE_LAUGHS = (
    """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE rsm:CrossIndustryInvoice [
  <!ENTITY lol "lol">
"""
    + "".join(
        f'  <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + f"""]>
<rsm:CrossIndustryInvoice {NS_CII}>
  <rsm:ExchangedDocument>
    <ram:ID>FA-2026-0667</ram:ID>
    <ram:TypeCode>380</ram:TypeCode>
    <ram:IssueDateTime>
      <udt:DateTimeString format="102">20261015</udt:DateTimeString>
    </ram:IssueDateTime>
  </rsm:ExchangedDocument>
  <rsm:SupplyChainTradeTransaction>
    <ram:ApplicableHeaderTradeAgreement>
      <ram:BuyerTradeParty>
        <ram:Name>&lol9;</ram:Name>
      </ram:BuyerTradeParty>
    </ram:ApplicableHeaderTradeAgreement>
    <ram:ApplicableHeaderTradeSettlement>
      <ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
      <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
        <ram:TaxBasisTotalAmount>1000.00</ram:TaxBasisTotalAmount>
        <ram:GrandTotalAmount>1200.00</ram:GrandTotalAmount>
        <ram:DuePayableAmount>1200.00</ram:DuePayableAmount>
      </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    </ram:ApplicableHeaderTradeSettlement>
  </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>
"""
)


# --- visible PDF -------------------------------------------------------------

FONT_DIR = Path(reportlab.__file__).parent / "fonts"
pdfmetrics.registerFont(TTFont("Vera", str(FONT_DIR / "Vera.ttf")))
pdfmetrics.registerFont(TTFont("Vera-Bold", str(FONT_DIR / "VeraBd.ttf")))


def draw_pdf(title: str, lines: list[tuple[str, str]], body: list[str]) -> bytes:
    """A one-page A4 document, then an sRGB OutputIntent (PDF/A prerequisite)."""
    buf = io.BytesIO()
    # initialFontName: otherwise reportlab lists an unembedded Helvetica in the
    # page resources, which PDF/A forbids.
    c = canvas.Canvas(
        buf, pagesize=A4, invariant=1, pdfVersion=(1, 6), initialFontName="Vera"
    )
    c.setTitle(title)
    c.setAuthor(SELLER["name"])
    c.setCreator("scripts/make-einvoice-fixtures.py (reportlab)")
    w, h = A4
    y = h - 25 * mm
    c.setFont("Vera-Bold", 16)
    c.drawString(20 * mm, y, title)
    y -= 12 * mm
    c.setFont("Vera", 10)
    for label, value in lines:
        c.setFont("Vera-Bold", 10)
        c.drawString(20 * mm, y, label)
        c.setFont("Vera", 10)
        c.drawString(75 * mm, y, value)
        y -= 6 * mm
    y -= 6 * mm
    for para in body:
        c.drawString(20 * mm, y, para)
        y -= 6 * mm
    c.setFont("Vera", 7)
    c.drawString(
        20 * mm,
        15 * mm,
        f"{SELLER['name']} — SIREN {SELLER['siren']} — TVA {SELLER['vat']} — "
        f"{SELLER['street']}, {SELLER['zip']} {SELLER['city']}",
    )
    c.showPage()
    c.save()

    pdf = pikepdf.open(io.BytesIO(buf.getvalue()))
    icc = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    # lcms stamps the profile header (bytes 24..35) with "now": pin it.
    icc[24:36] = struct.pack(">6H", 2026, 10, 15, 9, 30, 0)
    icc = bytes(icc)
    icc_stream = pikepdf.Stream(pdf, icc)
    icc_stream.N = 3
    pdf.Root.OutputIntents = pdf.make_indirect(
        pikepdf.Array(
            [
                pikepdf.Dictionary(
                    Type=pikepdf.Name.OutputIntent,
                    S=pikepdf.Name.GTS_PDFA1,
                    OutputConditionIdentifier="sRGB IEC61966-2.1",
                    Info="sRGB IEC61966-2.1",
                    DestOutputProfile=pdf.make_indirect(icc_stream),
                )
            ]
        )
    )
    # Info entries with no XMP counterpart in the tool's XMP (PDF/A consistency).
    for key in ("/Keywords", "/Trapped"):
        if key in pdf.docinfo:
            del pdf.docinfo[key]
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue()


def pdf_invoice_en16931() -> bytes:
    return draw_pdf(
        "Facture FA-2026-0142",
        [
            ("Date d’émission", "15/10/2026"),
            ("Date de livraison", "10/10/2026"),
            ("Échéance", "30/11/2026 (45 jours fin de mois)"),
            ("Client", f"{BUYER['name']} — SIREN {BUYER['siren']}"),
            ("TVA client", BUYER["vat"]),
            ("Courriel", BUYER["email"]),
        ],
        [
            "« Facture de prestations — août »",
            "Prestations de conseil — 10 h × 100,00 €          1 000,00 € HT",
            "Total HT : 1 000,00 €   TVA 20 % : 200,00 €   Total TTC : 1 200,00 €",
            "Pénalités de retard : trois fois le taux d’intérêt légal ; indemnité forfaitaire : 40 €.",
            f"Règlement par virement : {SELLER['iban']}",
        ],
    )


def pdf_credit_note() -> bytes:
    return draw_pdf(
        "Avoir AV-2026-0007",
        [
            ("Date d’émission", "02/11/2026"),
            ("Facture d’origine", "FA-2026-0142 du 15/10/2026"),
            ("Client", f"{BUYER['name']} — SIREN {BUYER['siren']}"),
            ("TVA client", BUYER["vat"]),
        ],
        [
            "Avoir sur prestations — 2 h non réalisées en août",
            "Total HT : 200,00 €   TVA 20 % : 40,00 €   Total TTC : 240,00 €",
            "Remboursement par virement sous 30 jours.",
        ],
    )


def pdf_minimum() -> bytes:
    return draw_pdf(
        "Facture FA-2026-0143",
        [
            ("Date d’émission", "20/10/2026"),
            ("Client", f"{BUYER['name']} — SIREN {BUYER['siren']}"),
            ("Commande", "BC-2026-881"),
        ],
        [
            "Fournitures de bureau (détail au verso de la commande)",
            "Total HT : 450,00 €   TVA 20 % : 90,00 €   Total TTC : 540,00 €",
        ],
    )


def pdf_not_invoice() -> bytes:
    return draw_pdf(
        "Lettre de relance",
        [("Date", "02/11/2026"), ("Destinataire", BUYER["name"])],
        [
            "Madame, Monsieur,",
            "Sauf erreur de notre part, la facture FA-2026-0142 reste impayée.",
            "Ce document est une simple lettre : il ne contient aucune facture électronique.",
        ],
    )


# --- checks --------------------------------------------------------------------

FX_DIR = Path(fxmod.__file__).parent / "xsd_and_schematron"


def check_xsd_ubl(xml: bytes, kind: str) -> None:
    xsd = FX_DIR / "ubl-2.1" / "maindoc" / f"UBL-{kind}-2.1.xsd"
    schema = etree.XMLSchema(etree.parse(str(xsd)))
    schema.assertValid(etree.fromstring(xml))


def schematron(xml: bytes, xslt: Path) -> list[str]:
    """Run one compiled schematron (XSLT 2) with saxonche; returns the failures."""
    from saxonche import PySaxonProcessor

    with PySaxonProcessor(license=False) as proc:
        x = proc.new_xslt30_processor()
        exe = x.compile_stylesheet(stylesheet_file=str(xslt))
        doc = proc.parse_xml(xml_text=xml.decode("utf-8"))
        out = exe.transform_to_string(xdm_node=doc)
    svrl = etree.fromstring(out.encode("utf-8"))
    ns = {"svrl": "http://purl.oclc.org/dsdl/svrl"}
    res = []
    for node in svrl.xpath("//svrl:failed-assert | //svrl:successful-report", namespaces=ns):
        flag = node.get("flag") or "error"
        text = " ".join("".join(node.xpath("svrl:text//text()", namespaces=ns)).split())
        res.append(f"[{flag}] {text[:220]}")
    return res


def schematrons(name: str, xml: bytes, kind: str) -> None:
    try:
        import saxonche  # noqa: F401
    except ImportError:
        print(f"  {name}: saxonche not installed, schematron skipped")
        return
    if kind == "cii-en16931":
        files = [
            FX_DIR / "facturx-en16931" / "FACTUR-X_EN16931.xslt",
            FX_DIR / "cii-schematron-fr-ctc" / "BR-FR-Flux2-Schematron-CII.xslt",
        ]
    elif kind == "cii-minimum":
        files = [FX_DIR / "facturx-minimum" / "Factur-X_1.09_MINIMUM.xsl"]
    else:
        files = [
            FX_DIR / "ubl-2.1" / "EN16931-UBL-validation.xslt",
            FX_DIR / "ubl-2.1" / "BR-FR-Flux2-Schematron-UBL.xslt",
        ]
    for f in files:
        msgs = schematron(xml, f)
        print(f"  {name}: schematron {f.name}: {len(msgs)} message(s)")
        for m in msgs:
            print(f"      {m}")


# A mirror of crates/domain/src/invoices/einvoice.rs's path rules, to show what
# the Rust reader will extract from each fixture.
def mirror_read(xml: bytes) -> dict:
    root = etree.fromstring(xml)
    local = etree.QName(root).localname
    out: dict = {"root": local}
    cn = local == "CreditNote"

    def walk(node, path):
        for ch in node:
            if not isinstance(ch.tag, str):
                continue
            p = path + [etree.QName(ch).localname]
            txt = (ch.text or "").strip() if len(ch) == 0 else ""
            if txt:
                yield "/".join(p), txt, ch.get("schemeID")
            yield from walk(ch, p)

    def iso(t):
        return f"{t[:4]}-{t[4:6]}-{t[6:8]}" if len(t) == 8 and t.isdigit() else t

    def put(k, v):
        out.setdefault(k, v)

    for path, t, scheme in walk(root, []):
        if local in ("Invoice", "CreditNote"):
            m = {
                "ID": "number",
                "IssueDate": "issued_on",
                "DueDate": "due_on",
                "PaymentMeans/PaymentDueDate": "due_on",
                "DocumentCurrencyCode": "currency",
                "LegalMonetaryTotal/TaxExclusiveAmount": "amount_excl_tax",
                "LegalMonetaryTotal/TaxInclusiveAmount": "amount_incl_tax",
                "Delivery/ActualDeliveryDate": "delivered_on",
                "PaymentTerms/Note": "terms",
                "AccountingCustomerParty/Party/PartyLegalEntity/RegistrationName": "buyer_name",
                "AccountingCustomerParty/Party/PartyName/Name": "buyer_name",
                "AccountingCustomerParty/Party/PartyTaxScheme/CompanyID": "buyer_vat",
                "AccountingCustomerParty/Party/Contact/ElectronicMail": "buyer_email",
            }
            if path in m:
                put(m[path], t)
            elif path == "AccountingCustomerParty/Party/PartyLegalEntity/CompanyID" and scheme in (None, "0002"):
                put("buyer_legal_id", t)
        else:
            if path == "ExchangedDocument/ID":
                put("number", t)
            elif path == "ExchangedDocument/TypeCode":
                cn = t == "381"
            elif path == "ExchangedDocument/IssueDateTime/DateTimeString":
                put("issued_on", iso(t))
            elif path.startswith("SupplyChainTradeTransaction/"):
                r = path[len("SupplyChainTradeTransaction/"):]
                S = "ApplicableHeaderTradeSettlement/"
                A = "ApplicableHeaderTradeAgreement/BuyerTradeParty/"
                m = {
                    S + "InvoiceCurrencyCode": ("currency", False),
                    S + "SpecifiedTradeSettlementHeaderMonetarySummation/TaxBasisTotalAmount": ("amount_excl_tax", False),
                    S + "SpecifiedTradeSettlementHeaderMonetarySummation/GrandTotalAmount": ("amount_incl_tax", False),
                    S + "SpecifiedTradePaymentTerms/DueDateDateTime/DateTimeString": ("due_on", True),
                    S + "SpecifiedTradePaymentTerms/Description": ("terms", False),
                    "ApplicableHeaderTradeDelivery/ActualDeliverySupplyChainEvent/OccurrenceDateTime/DateTimeString": ("delivered_on", True),
                    A + "Name": ("buyer_name", False),
                    A + "URIUniversalCommunication/URIID": ("buyer_email", False),
                }
                if r in m:
                    k, d = m[r]
                    put(k, iso(t) if d else t)
                elif r == A + "SpecifiedLegalOrganization/ID" and scheme in (None, "0002"):
                    put("buyer_legal_id", t)
                elif r == A + "SpecifiedTaxRegistration/ID" and scheme in (None, "VA"):
                    put("buyer_vat", t)
    out["credit_note"] = cn
    return out


def describe_pdf(path: Path) -> None:
    """Print the embedded-file structure as a PDF reader walking it would see it."""
    data = path.read_bytes()
    r = pypdf.PdfReader(io.BytesIO(data))
    root = r.trailer["/Root"]
    print(f"  {path.name}: header {data[:8]!r}, {len(r.pages)} page(s)")
    names = root.get("/Names")
    if names is None:
        print("    Catalog has no /Names")
    else:
        ef = names.get_object()["/EmbeddedFiles"].get_object()
        print(f"    Catalog /Names -> {'direct dict' if not hasattr(root.raw_get('/Names'), 'idnum') else 'indirect'}; /EmbeddedFiles -> {'direct dict' if not hasattr(names.get_object().raw_get('/EmbeddedFiles'), 'idnum') else 'indirect'} (a flat /Names array, no /Kids)" if '/Kids' not in ef else "    /EmbeddedFiles has /Kids")
        arr = ef["/Names"]
        for i in range(0, len(arr), 2):
            key = arr[i]
            fs_ref = arr[i + 1]
            fs = fs_ref.get_object()
            stream_ref = fs["/EF"].get_object().raw_get("/F")
            stream = stream_ref.get_object()
            print(
                f"    Catalog /Names /EmbeddedFiles /Names [{key!r} {fs_ref.idnum} 0 R]"
                f" -> Filespec /F {fs.get('/F')!r} /UF {fs.get('/UF')!r}"
                f" /AFRelationship {fs.get('/AFRelationship')}"
            )
            print(
                f"      /EF /F -> {stream_ref.idnum} 0 R: /Type {stream.get('/Type')}"
                f" /Subtype {stream.get('/Subtype')} /Filter {stream.get('/Filter')}"
                f" ({len(stream._data)} bytes encoded) /Params /Size {stream['/Params'].get('/Size')}"
                f" (decoded {len(stream.get_data())} bytes)"
            )
    af = root.get("/AF")
    if af is not None:
        print(f"    Catalog /AF -> [{', '.join(f'{x.idnum} 0 R' for x in af.get_object())}]")
    md = root.get("/Metadata")
    if md is not None:
        xmp = md.get_object().get_data().decode("utf-8")
        import re

        part = re.search(r"<pdfaid:part>(\d)</pdfaid:part>", xmp)
        conf = re.search(r"<pdfaid:conformance>(\w)</pdfaid:conformance>", xmp)
        fname = re.search(r"<fx:DocumentFileName>([^<]*)<", xmp)
        level = re.search(r"<fx:ConformanceLevel>([^<]*)<", xmp)
        print(
            f"    XMP: pdfaid part {part and part.group(1)} conformance {conf and conf.group(1)},"
            f" fx:DocumentFileName {fname and fname.group(1)}, fx:ConformanceLevel {level and level.group(1)}"
        )
    print(f"    Catalog /OutputIntents: {'yes' if '/OutputIntents' in root else 'no'}")


# --- main ---------------------------------------------------------------------


def write(name: str, data: bytes) -> Path:
    p = OUT / name
    p.write_bytes(data)
    return p


def facturx_pdf(name: str, visible: bytes, xml: str, level: str, title: str, subject: str) -> bytes:
    xml_b = xml.encode("utf-8")
    out = OUT / name
    facturx.generate_from_file(
        io.BytesIO(visible),
        xml_b,
        flavor="factur-x",
        level=level,
        check_xsd=True,  # raises if the XML does not match the profile's XSD
        pdf_metadata={
            "author": SELLER["name"],
            "title": title,
            "subject": subject,
        },
        lang="fr-FR",
        output_pdf_file=str(out),
    )
    return out.read_bytes()


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)

    # 1. Factur-X EN 16931 invoice.
    cii1 = cii_en16931(
        number="FA-2026-0142",
        type_code="380",
        issued="20261015",
        notes=["Facture de prestations — août"],
        line_name="Prestations de conseil — août 2026",
        qty="10",
        unit_price="100.00",
        excl="1000.00",
        vat="200.00",
        incl="1200.00",
        rate="20",
        delivered="20261010",
        terms="Paiement à 45 jours fin de mois",
        due="20261130",
    )
    write("facturx-en16931.cii.xml", cii1.encode())
    pdf1 = facturx_pdf(
        "facturx-en16931.pdf",
        pdf_invoice_en16931(),
        cii1,
        "en16931",
        f"{SELLER['name']} : facture FA-2026-0142",
        "Facture FA-2026-0142 du 2026-10-15 pour Maison Delmeo SAS",
    )

    # 2. Factur-X EN 16931 credit note.
    cii2 = cii_en16931(
        number="AV-2026-0007",
        type_code="381",
        issued="20261102",
        notes=["Avoir sur prestations — 2 h non réalisées en août"],
        line_name="Prestations de conseil non réalisées — août 2026",
        qty="2",
        unit_price="100.00",
        excl="200.00",
        vat="40.00",
        incl="240.00",
        rate="20",
        delivered=None,
        terms="Remboursement par virement sous 30 jours",
        due="20261202",
        preceding=("FA-2026-0142", "20261015"),
    )
    write("facturx-credit-note.cii.xml", cii2.encode())
    facturx_pdf(
        "facturx-credit-note.pdf",
        pdf_credit_note(),
        cii2,
        "en16931",
        f"{SELLER['name']} : avoir AV-2026-0007",
        "Avoir AV-2026-0007 du 2026-11-02 pour Maison Delmeo SAS",
    )

    # 3. Factur-X MINIMUM.
    cii3 = cii_minimum()
    write("facturx-minimum.cii.xml", cii3.encode())
    facturx_pdf(
        "facturx-minimum.pdf",
        pdf_minimum(),
        cii3,
        "minimum",
        f"{SELLER['name']} : facture FA-2026-0143",
        "Facture FA-2026-0143 du 2026-10-20 pour Maison Delmeo SAS",
    )

    # 3b. The same kind of invoice in the French reform's B2B shape (BAR note,
    # buyer address = SIREN under 0225, e-mail in the contact): XML only.
    cii_b2b = cii_en16931(
        number="FA-2026-0144",
        type_code="380",
        issued="20261031",
        notes=["Facture de prestations — septembre"],
        line_name="Prestations de conseil — septembre 2026",
        qty="4",
        unit_price="100.00",
        excl="400.00",
        vat="80.00",
        incl="480.00",
        rate="20",
        delivered="20260930",
        terms="Paiement à 30 jours date de facture",
        due="20261130",
        fr_b2b=True,
    )
    fxmod.xml_check_xsd(cii_b2b.encode(), flavor="factur-x", level="en16931")
    write("cii-fr-b2b.xml", cii_b2b.encode())

    # 4, 5. UBL.
    ubl1 = ubl_invoice().encode()
    check_xsd_ubl(ubl1, "Invoice")
    write("ubl-invoice.xml", ubl1)
    ubl2 = ubl_credit_note().encode()
    check_xsd_ubl(ubl2, "CreditNote")
    write("ubl-credit-note.xml", ubl2)

    # 6. Hostile.
    write("hostile-xxe.xml", HOSTILE_XXE.encode())
    write("hostile-billion-laughs.xml", HOSTILE_LAUGHS.encode())
    write("not-an-invoice.pdf", pdf_not_invoice())
    write("truncated.pdf", pdf1[:3000])
    missing = cii1.replace("    <ram:ID>FA-2026-0142</ram:ID>\n", "", 1)
    assert missing != cii1
    write("cii-missing-number.xml", missing.encode())

    # A real Factur-X PDF (same tool, same XMP) whose XML attachment is then
    # renamed invoice.xml in the name tree and the filespec (/F, /UF), so that
    # a reader looking for "factur-x.xml" by name finds nothing. The XMP still
    # says fx:DocumentFileName factur-x.xml, as a sloppy producer would leave it.
    tmp = OUT / ".wrong-name.tmp.pdf"
    facturx.generate_from_file(
        io.BytesIO(pdf_invoice_en16931()),
        cii1.encode(),
        flavor="factur-x",
        level="en16931",
        pdf_metadata={
            "author": SELLER["name"],
            "title": f"{SELLER['name']} : facture FA-2026-0142",
            "subject": "Facture FA-2026-0142 (pièce jointe mal nommée)",
        },
        lang="fr-FR",
        output_pdf_file=str(tmp),
    )
    with pikepdf.open(tmp) as pdf:
        arr = pdf.Root.Names.EmbeddedFiles.Names
        assert str(arr[0]) == "factur-x.xml"
        arr[0] = pikepdf.String("invoice.xml")
        fs = arr[1]
        fs.F = pikepdf.String("invoice.xml")
        fs.UF = pikepdf.String("invoice.xml")
        pdf.save(OUT / "facturx-wrong-name.pdf", deterministic_id=True)
    tmp.unlink()

    # --- verification ----------------------------------------------------------
    print("== embedded XML (facturx.get_facturx_xml_from_pdf) ==")
    for name, expect in [
        ("facturx-en16931.pdf", cii1),
        ("facturx-credit-note.pdf", cii2),
        ("facturx-minimum.pdf", cii3),
        ("facturx-wrong-name.pdf", None),
        ("not-an-invoice.pdf", None),
    ]:
        with open(OUT / name, "rb") as f:
            fname, xml = facturx.get_facturx_xml_from_pdf(f, check_xsd=False)
        ok = xml == expect.encode() if expect else None
        print(f"  {name}: file name {fname!r}, {len(xml) if xml else 0} bytes, equals source: {ok}")
    print("== PDF structure (pypdf) ==")
    for name in [
        "facturx-en16931.pdf",
        "facturx-credit-note.pdf",
        "facturx-minimum.pdf",
        "facturx-wrong-name.pdf",
        "not-an-invoice.pdf",
    ]:
        describe_pdf(OUT / name)
    try:
        pypdf.PdfReader(OUT / "truncated.pdf", strict=True)
        print("  truncated.pdf: pypdf opened it (!)")
    except Exception as err:  # noqa: BLE001
        print(f"  truncated.pdf: pypdf strict refuses it: {type(err).__name__}: {err}")

    print("== schematron ==")
    schematrons("facturx-en16931.cii.xml", cii1.encode(), "cii-en16931")
    schematrons("facturx-credit-note.cii.xml", cii2.encode(), "cii-en16931")
    schematrons("facturx-minimum.cii.xml", cii3.encode(), "cii-minimum")
    schematrons("cii-fr-b2b.xml", cii_b2b.encode(), "cii-en16931")
    schematrons("ubl-invoice.xml", ubl1, "ubl")
    schematrons("ubl-credit-note.xml", ubl2, "ubl")

    print("== what einvoice.rs reads (Python mirror of its path rules) ==")
    for name in [
        "facturx-en16931.cii.xml",
        "facturx-credit-note.cii.xml",
        "facturx-minimum.cii.xml",
        "cii-fr-b2b.xml",
        "ubl-invoice.xml",
        "ubl-credit-note.xml",
        "cii-missing-number.xml",
    ]:
        print(f"  {name}: {mirror_read((OUT / name).read_bytes())}")

    print("== files ==")
    for p in sorted(OUT.iterdir()):
        if p.is_file():
            h = hashlib.sha256(p.read_bytes()).hexdigest()[:16]
            print(f"  {p.name:32} {p.stat().st_size:7d}  sha256:{h}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
