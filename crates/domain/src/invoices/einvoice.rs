//! Electronic invoices as France's e-invoicing reform carries them: UBL 2.1
//! (`Invoice` / `CreditNote`) and UN/CEFACT CII (`CrossIndustryInvoice`, the XML a
//! Factur-X PDF embeds), read into the same [`InvoiceInput`] a CSV line or a form
//! gives, with the buyer's identifiers to find the account.
//!
//! The XML is read as a stream of elements whose path (local names, prefixes
//! ignored) decides what each text is; a document that is not one of the two
//! syntaxes, or lacks what an invoice needs, is refused with the field at fault.

use super::invoice::InvoiceInput;
use crate::validation::ValidationErrors;
use quick_xml::events::Event;
use quick_xml::Reader;
use serde::Serialize;

/// Largest document read, in bytes.
pub const MAX_XML_BYTES: usize = 10 * 1024 * 1024;

/// Which syntax a document is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Syntax {
    /// UBL 2.1.
    Ubl,
    /// UN/CEFACT Cross Industry Invoice (Factur-X, ZUGFeRD).
    Cii,
}

/// An electronic invoice read: the invoice, whether it is a credit note, and who
/// the buyer is.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReadInvoice {
    /// The syntax it came in.
    pub syntax: Option<Syntax>,
    /// The invoice's fields, as text for [`InvoiceInput::validate`].
    pub invoice: InvoiceInput,
    /// A credit note (UBL `CreditNote`, CII type code 381).
    pub credit_note: bool,
    /// The buyer's name.
    pub buyer_name: Option<String>,
    /// The buyer's SIREN (legal registration with scheme 0002), or other legal id.
    pub buyer_legal_id: Option<String>,
    /// The buyer's VAT number.
    pub buyer_vat: Option<String>,
    /// The buyer's e-mail address.
    pub buyer_email: Option<String>,
    /// For a credit note, the number of the invoice it corrects.
    pub invoice_ref: Option<String>,
}

/// The path of the current element, as local names joined by `/`.
fn path_of(stack: &[String]) -> String {
    stack.join("/")
}

/// CII dates are `YYYYMMDD` (format 102); UBL dates are already ISO.
fn iso_date(raw: &str) -> String {
    let t = raw.trim();
    if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        format!("{}-{}-{}", &t[..4], &t[4..6], &t[6..8])
    } else {
        t.to_owned()
    }
}

/// Reads a UBL or CII invoice.
pub fn read(xml: &[u8]) -> Result<ReadInvoice, ValidationErrors> {
    let fail = |code: &str| {
        let mut e = ValidationErrors::new();
        e.add("file", code);
        e
    };
    if xml.len() > MAX_XML_BYTES {
        return Err(fail("einvoice.too_large"));
    }
    let mut reader = Reader::from_reader(xml);
    let mut stack: Vec<String> = Vec::new();
    // The schemeID of the element whose text is being read (0002 = SIREN, VA = VAT).
    let mut scheme: Option<String> = None;
    // The element's text so far: quick-xml hands entity references (`&amp;`) over
    // as events of their own between the plain pieces.
    let mut text = String::new();
    let mut out = ReadInvoice::default();
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Err(_) => return Err(fail("einvoice.not_xml")),
            Ok(Event::Eof) => break,
            Ok(Event::Start(e)) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if stack.is_empty() {
                    out.syntax = match name.as_str() {
                        "Invoice" => Some(Syntax::Ubl),
                        "CreditNote" => {
                            out.credit_note = true;
                            Some(Syntax::Ubl)
                        }
                        "CrossIndustryInvoice" => Some(Syntax::Cii),
                        _ => return Err(fail("einvoice.unknown_syntax")),
                    };
                }
                scheme = e
                    .attributes()
                    .flatten()
                    .find(|a| a.key.local_name().as_ref() == b"schemeID")
                    .map(|a| String::from_utf8_lossy(&a.value).into_owned());
                text.clear();
                stack.push(name);
            }
            Ok(Event::Text(t)) => match t.decode() {
                Ok(piece) => text.push_str(&piece),
                Err(_) => return Err(fail("einvoice.not_xml")),
            },
            Ok(Event::GeneralRef(r)) => {
                let name = r.decode().map_err(|_| fail("einvoice.not_xml"))?;
                if let Some(c) = r.resolve_char_ref().map_err(|_| fail("einvoice.not_xml"))? {
                    text.push(c);
                } else if let Some(v) = quick_xml::escape::resolve_predefined_entity(&name) {
                    text.push_str(v);
                } else {
                    // A declared entity (possibly external) is never expanded.
                    return Err(fail("einvoice.entity"));
                }
            }
            Ok(Event::End(_)) => {
                let value = text.trim();
                if !value.is_empty() {
                    let path = path_of(&stack);
                    match out.syntax {
                        Some(Syntax::Ubl) => ubl_text(&mut out, &path, value, scheme.as_deref()),
                        Some(Syntax::Cii) => cii_text(&mut out, &path, value, scheme.as_deref()),
                        None => {}
                    }
                }
                text.clear();
                stack.pop();
            }
            Ok(_) => {}
        }
        buf.clear();
    }
    if out.syntax.is_none() {
        return Err(fail("einvoice.unknown_syntax"));
    }
    let mut e = ValidationErrors::new();
    if out.invoice.number.is_none() {
        e.add("number", "required");
    }
    if out.invoice.issued_on.is_none() {
        e.add("issued_on", "required");
    }
    if out.invoice.amount_incl_tax.is_none() {
        e.add("amount_incl_tax", "required");
    }
    e.into_result()?;
    Ok(out)
}

fn set(slot: &mut Option<String>, value: &str) {
    if slot.is_none() {
        *slot = Some(value.to_owned());
    }
}

/// A legal id as the scheme gives it: a SIREN (0002), or a SIRET (0009) cut to its SIREN.
fn legal_id(text: &str, scheme: Option<&str>) -> Option<String> {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    match scheme {
        None | Some("0002") => Some(text.to_owned()),
        Some("0009") if digits.len() == 14 => Some(digits[..9].to_owned()),
        _ => None,
    }
}

/// Credit note type codes of EN 16931 as the French reform lists them.
const CREDIT_NOTE_CODES: [&str; 6] = ["381", "261", "262", "396", "502", "503"];

fn ubl_text(out: &mut ReadInvoice, path: &str, text: &str, scheme: Option<&str>) {
    let root = if out.credit_note { "CreditNote" } else { "Invoice" };
    let rel = path
        .strip_prefix(root)
        .map(|p| p.trim_start_matches('/'))
        .unwrap_or(path);
    let inv = &mut out.invoice;
    match rel {
        "ID" => set(&mut inv.number, text),
        "IssueDate" => set(&mut inv.issued_on, text),
        "DueDate" | "PaymentMeans/PaymentDueDate" => set(&mut inv.due_on, text),
        "DocumentCurrencyCode" => set(&mut inv.currency, text),
        "LegalMonetaryTotal/TaxExclusiveAmount" => set(&mut inv.amount_excl_tax, text),
        "LegalMonetaryTotal/TaxInclusiveAmount" => set(&mut inv.amount_incl_tax, text),
        "Delivery/ActualDeliveryDate" => set(&mut inv.delivered_on, text),
        "PaymentTerms/Note" => set(&mut inv.terms, text),
        "AccountingCustomerParty/Party/PartyLegalEntity/RegistrationName"
        | "AccountingCustomerParty/Party/PartyName/Name" => set(&mut out.buyer_name, text),
        "AccountingCustomerParty/Party/PartyLegalEntity/CompanyID" | "AccountingCustomerParty/Party/EndpointID" => {
            if let Some(id) = legal_id(text, scheme) {
                set(&mut out.buyer_legal_id, &id);
            }
        }
        "BillingReference/InvoiceDocumentReference/ID" => set(&mut out.invoice_ref, text),
        "InvoiceTypeCode" | "CreditNoteTypeCode" if CREDIT_NOTE_CODES.contains(&text.trim()) => out.credit_note = true,
        "AccountingCustomerParty/Party/PartyTaxScheme/CompanyID" => set(&mut out.buyer_vat, text),
        "AccountingCustomerParty/Party/Contact/ElectronicMail" => set(&mut out.buyer_email, text),
        _ => {}
    }
}

fn cii_text(out: &mut ReadInvoice, path: &str, text: &str, scheme: Option<&str>) {
    let rel = path.strip_prefix("CrossIndustryInvoice/").unwrap_or(path);
    let trade = "SupplyChainTradeTransaction/";
    let inv = &mut out.invoice;
    match rel {
        "ExchangedDocument/ID" => set(&mut inv.number, text),
        "ExchangedDocument/TypeCode" => out.credit_note = CREDIT_NOTE_CODES.contains(&text.trim()),
        "ExchangedDocument/IssueDateTime/DateTimeString" => set(&mut inv.issued_on, &iso_date(text)),
        _ => {
            let Some(r) = rel.strip_prefix(trade) else { return };
            match r {
                "ApplicableHeaderTradeSettlement/InvoiceCurrencyCode" => set(&mut inv.currency, text),
                "ApplicableHeaderTradeSettlement/SpecifiedTradeSettlementHeaderMonetarySummation/TaxBasisTotalAmount" => {
                    set(&mut inv.amount_excl_tax, text)
                }
                "ApplicableHeaderTradeSettlement/SpecifiedTradeSettlementHeaderMonetarySummation/GrandTotalAmount" => {
                    set(&mut inv.amount_incl_tax, text)
                }
                "ApplicableHeaderTradeSettlement/SpecifiedTradePaymentTerms/DueDateDateTime/DateTimeString" => {
                    set(&mut inv.due_on, &iso_date(text))
                }
                "ApplicableHeaderTradeSettlement/SpecifiedTradePaymentTerms/Description" => set(&mut inv.terms, text),
                "ApplicableHeaderTradeDelivery/ActualDeliverySupplyChainEvent/OccurrenceDateTime/DateTimeString" => {
                    set(&mut inv.delivered_on, &iso_date(text))
                }
                "ApplicableHeaderTradeAgreement/BuyerTradeParty/Name" => set(&mut out.buyer_name, text),
                "ApplicableHeaderTradeAgreement/BuyerTradeParty/SpecifiedLegalOrganization/ID" => {
                    if let Some(id) = legal_id(text, scheme) {
                        set(&mut out.buyer_legal_id, &id);
                    }
                }
                "ApplicableHeaderTradeSettlement/InvoiceReferencedDocument/IssuerAssignedID" => {
                    set(&mut out.invoice_ref, text)
                }
                "ApplicableHeaderTradeAgreement/BuyerTradeParty/DefinedTradeContact/EmailURIUniversalCommunication/URIID" => {
                    set(&mut out.buyer_email, text)
                }
                "ApplicableHeaderTradeAgreement/BuyerTradeParty/SpecifiedTaxRegistration/ID" if scheme.is_none() || scheme == Some("VA") => set(&mut out.buyer_vat, text),
                // Only an e-mail scheme: French B2B files put the SIREN there (scheme 0225).
                "ApplicableHeaderTradeAgreement/BuyerTradeParty/URIUniversalCommunication/URIID"
                    if scheme == Some("EM") =>
                {
                    set(&mut out.buyer_email, text)
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A UBL 2.1 invoice shaped as French platforms emit them (EN 16931, CIUS FR).
    const UBL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
         xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
         xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID>
  <cbc:ID>F-2026-0118</cbc:ID>
  <cbc:IssueDate>2026-01-15</cbc:IssueDate>
  <cbc:DueDate>2026-03-31</cbc:DueDate>
  <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
  <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
  <cac:AccountingSupplierParty><cac:Party><cac:PartyName><cbc:Name>Bilan Démo</cbc:Name></cac:PartyName></cac:Party></cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty>
    <cac:Party>
      <cac:PartyName><cbc:Name>Danone</cbc:Name></cac:PartyName>
      <cac:PartyTaxScheme><cbc:CompanyID>FR27552032534</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
      <cac:PartyLegalEntity><cbc:RegistrationName>DANONE SA</cbc:RegistrationName><cbc:CompanyID schemeID="0002">552032534</cbc:CompanyID></cac:PartyLegalEntity>
      <cac:Contact><cbc:ElectronicMail>compta@danone.test</cbc:ElectronicMail></cac:Contact>
    </cac:Party>
  </cac:AccountingCustomerParty>
  <cac:Delivery><cbc:ActualDeliveryDate>2026-01-12</cbc:ActualDeliveryDate></cac:Delivery>
  <cac:PaymentTerms><cbc:Note>45 jours fin de mois</cbc:Note></cac:PaymentTerms>
  <cac:TaxTotal><cbc:TaxAmount currencyID="EUR">200.00</cbc:TaxAmount></cac:TaxTotal>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="EUR">1000.00</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount currencyID="EUR">1000.00</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount currencyID="EUR">1200.00</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount currencyID="EUR">1200.00</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>
  <cac:InvoiceLine><cbc:ID>1</cbc:ID><cbc:InvoicedQuantity unitCode="C62">10</cbc:InvoicedQuantity><cbc:LineExtensionAmount currencyID="EUR">1000.00</cbc:LineExtensionAmount></cac:InvoiceLine>
</Invoice>"#;

    /// The CII of a Factur-X EN 16931 invoice.
    const CII: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
    xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
    xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
  <rsm:ExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>urn:cen.eu:en16931:2017</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter></rsm:ExchangedDocumentContext>
  <rsm:ExchangedDocument>
    <ram:ID>AV-2026-0007</ram:ID>
    <ram:TypeCode>381</ram:TypeCode>
    <ram:IssueDateTime><udt:DateTimeString format="102">20260220</udt:DateTimeString></ram:IssueDateTime>
  </rsm:ExchangedDocument>
  <rsm:SupplyChainTradeTransaction>
    <ram:ApplicableHeaderTradeAgreement>
      <ram:SellerTradeParty><ram:Name>Bilan Démo</ram:Name></ram:SellerTradeParty>
      <ram:BuyerTradeParty>
        <ram:Name>Danone &amp; Fils</ram:Name>
        <ram:SpecifiedLegalOrganization><ram:ID schemeID="0002">552032534</ram:ID></ram:SpecifiedLegalOrganization>
        <ram:URIUniversalCommunication><ram:URIID schemeID="EM">compta@danone.test</ram:URIID></ram:URIUniversalCommunication>
        <ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">FR27552032534</ram:ID></ram:SpecifiedTaxRegistration>
      </ram:BuyerTradeParty>
    </ram:ApplicableHeaderTradeAgreement>
    <ram:ApplicableHeaderTradeDelivery>
      <ram:ActualDeliverySupplyChainEvent><ram:OccurrenceDateTime><udt:DateTimeString format="102">20260218</udt:DateTimeString></ram:OccurrenceDateTime></ram:ActualDeliverySupplyChainEvent>
    </ram:ApplicableHeaderTradeDelivery>
    <ram:ApplicableHeaderTradeSettlement>
      <ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
      <ram:SpecifiedTradePaymentTerms>
        <ram:Description>30 jours</ram:Description>
        <ram:DueDateDateTime><udt:DateTimeString format="102">20260322</udt:DateTimeString></ram:DueDateDateTime>
      </ram:SpecifiedTradePaymentTerms>
      <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
        <ram:LineTotalAmount>250.00</ram:LineTotalAmount>
        <ram:TaxBasisTotalAmount>250.00</ram:TaxBasisTotalAmount>
        <ram:TaxTotalAmount currencyID="EUR">50.00</ram:TaxTotalAmount>
        <ram:GrandTotalAmount>300.00</ram:GrandTotalAmount>
        <ram:DuePayableAmount>300.00</ram:DuePayableAmount>
      </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    </ram:ApplicableHeaderTradeSettlement>
  </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>"#;

    #[test]
    fn a_ubl_invoice_is_read() {
        let r = read(UBL.as_bytes()).unwrap();
        assert_eq!(r.syntax, Some(Syntax::Ubl));
        assert!(!r.credit_note);
        assert_eq!(r.invoice.number.as_deref(), Some("F-2026-0118"));
        assert_eq!(r.invoice.issued_on.as_deref(), Some("2026-01-15"));
        assert_eq!(r.invoice.due_on.as_deref(), Some("2026-03-31"));
        assert_eq!(r.invoice.delivered_on.as_deref(), Some("2026-01-12"));
        assert_eq!(r.invoice.amount_excl_tax.as_deref(), Some("1000.00"));
        assert_eq!(r.invoice.amount_incl_tax.as_deref(), Some("1200.00"));
        assert_eq!(r.invoice.terms.as_deref(), Some("45 jours fin de mois"));
        assert_eq!(r.buyer_name.as_deref(), Some("Danone"));
        assert_eq!(r.buyer_legal_id.as_deref(), Some("552032534"));
        assert_eq!(r.buyer_vat.as_deref(), Some("FR27552032534"));
        assert_eq!(r.buyer_email.as_deref(), Some("compta@danone.test"));
        let checked = r.invoice.validate().unwrap();
        assert_eq!(checked.amount_incl_tax.minor, 120_000);
        assert_eq!(checked.due_on.to_string(), "2026-03-31", "the stated due date wins");
    }

    #[test]
    fn a_cii_credit_note_is_read() {
        let r = read(CII.as_bytes()).unwrap();
        assert_eq!(r.syntax, Some(Syntax::Cii));
        assert!(r.credit_note);
        assert_eq!(r.invoice.number.as_deref(), Some("AV-2026-0007"));
        assert_eq!(r.invoice.issued_on.as_deref(), Some("2026-02-20"));
        assert_eq!(r.invoice.due_on.as_deref(), Some("2026-03-22"));
        assert_eq!(r.invoice.delivered_on.as_deref(), Some("2026-02-18"));
        assert_eq!(r.invoice.amount_excl_tax.as_deref(), Some("250.00"));
        assert_eq!(r.invoice.amount_incl_tax.as_deref(), Some("300.00"));
        assert_eq!(r.buyer_name.as_deref(), Some("Danone & Fils"), "entities unescaped");
        assert_eq!(r.buyer_legal_id.as_deref(), Some("552032534"));
        assert_eq!(r.buyer_vat.as_deref(), Some("FR27552032534"));
        assert!(r.invoice.validate().is_ok());
    }

    #[test]
    fn hostile_documents_are_refused_with_a_reason() {
        let code = |xml: &str, field: &str| {
            read(xml.as_bytes())
                .unwrap_err()
                .for_field(field)
                .map(|f| f.code.clone())
        };
        assert_eq!(code("not xml at all <<<", "file").as_deref(), Some("einvoice.not_xml"));
        assert_eq!(
            code("<Order><ID>1</ID></Order>", "file").as_deref(),
            Some("einvoice.unknown_syntax")
        );
        assert_eq!(
            code("<Invoice><ID>1</ID></Wrong>", "file").as_deref(),
            Some("einvoice.not_xml")
        );
        assert_eq!(code("", "file").as_deref(), Some("einvoice.unknown_syntax"));
        let no_total = UBL.replace("TaxInclusiveAmount", "Nothing");
        assert_eq!(code(&no_total, "amount_incl_tax").as_deref(), Some("required"));
        let entity = "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><Invoice><ID>&e;</ID></Invoice>";
        assert_eq!(
            code(entity, "file").as_deref(),
            Some("einvoice.entity"),
            "a declared entity, external or not, is never expanded"
        );
        let big = vec![b' '; MAX_XML_BYTES + 1];
        assert_eq!(
            read(&big).unwrap_err().for_field("file").unwrap().code,
            "einvoice.too_large"
        );
    }
}
